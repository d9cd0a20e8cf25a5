"""``certhub dlq list|show|replay|purge``: dead letters for operators, on either backend.

Dead letters are outbox rows in state ``dead`` (the outbox is the truth;
RabbitMQ's DLQ only mirrors them). Filters: ``--adapter``, ``--older-than``
(``90s``, ``15m``, ``2h``, ``7d``), ``--error`` (the error class). ``replay``
puts them back on the normal path with fresh attempts; ``purge`` drops them.
Both are audited, one audit entry per delivery, with the operator as actor,
and both say how many matching dead letters are left (``--limit`` caps one
run, it never hides the rest). ``purge`` first shows what would go; unless
the delivery ids were named, it asks (or needs ``--yes``; with no terminal
and no ``--yes`` it refuses), and ``--dry-run`` only shows.
On SQLite they need the hub stopped (one process owns the ledger file);
on PostgreSQL they run beside the workers.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from certhub.hub.cli.common import CliError, ask, must_exist
from certhub.hub.core.settings import Settings
from certhub.hub.store import Ledger, open_ledger
from certhub.hub.store.outbox import DeadLetterFilter, OutboxRow
from certhub.schemas import mask_ids_in_text

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_ALL = 1_000_000  # more dead letters than this is an outage to fix, not a list to read


def add_dlq_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``certhub dlq …``."""
    dlq = sub.add_parser("dlq", help="dead-lettered deliveries").add_subparsers(required=True)
    for name, text in (
        ("list", "list dead letters"),
        ("show", "show dead letters in full"),
        ("replay", "send dead letters through the normal path again"),
        ("purge", "delete dead letters (audited)"),
    ):
        command = dlq.add_parser(name, help=text)
        command.add_argument(
            "ids", nargs="*", metavar="DELIVERY_ID", help="only these (default: all that match)"
        )
        command.add_argument("--data", type=Path, help="data folder (CERTHUB_DATA_DIR)")
        command.add_argument("--database-url", help="postgresql://… (CERTHUB_DATABASE_URL)")
        command.add_argument("--adapter", help="only this destination (sms, ministry, …)")
        command.add_argument("--older-than", type=_age, help="e.g. 90s, 15m, 2h, 7d")
        command.add_argument("--error", help="only this error class, e.g. CircuitOpen")
        command.add_argument("--limit", type=_limit, default=1000, help="at most this many")
        if name == "purge":
            command.add_argument("--yes", action="store_true", help="do not ask")
            command.add_argument("--dry-run", action="store_true", help="only show what would go")
        command.set_defaults(command=_run, action=name)


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= _ALL:
        raise argparse.ArgumentTypeError(f"{text!r}: give a whole number from 1 to {_ALL}")
    return value


def _age(text: str) -> float:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([smhd])", text.strip())
    if match is None:
        raise argparse.ArgumentTypeError(f"{text!r}: use a number and s, m, h or d (e.g. 2h)")
    return float(match[1]) * _UNITS[match[2]]


def _run(args: argparse.Namespace) -> int:
    return asyncio.run(_dlq(args))


async def _dlq(args: argparse.Namespace) -> int:
    writes = args.action in {"replay", "purge"}
    ledger = await _open(args, writable=writes)
    try:
        where = DeadLetterFilter(
            destination=args.adapter,
            created_before=None if args.older_than is None else time.time() - args.older_than,
            error=args.error,
            delivery_ids=tuple(args.ids),
        )
        if not writes:
            rows = await ledger.dead_letters(where, args.limit)
            (_print_list if args.action == "list" else _print_full)(rows)
            return _unknown(args.ids, rows)
        # Every match, so what a --limit leaves is counted, not hidden.
        matching = await ledger.dead_letters(where, _ALL)
        chosen = matching[: args.limit]
        if args.action == "purge" and not _purge_confirmed(args, where, chosen, len(matching)):
            return 0
        done = await _change(ledger, args.action, chosen)
        verb = args.action.removesuffix("e")
        print(f"{verb}ed {done} dead letter(s); {_left(args.limit, len(matching) - done)}")
        return _unknown(args.ids, matching)
    finally:
        await ledger.aclose()


def _unknown(named: Sequence[str], found: Sequence[OutboxRow]) -> int:
    """Say each named delivery that matched no dead letter (mistyped, replayed, purged): 1."""
    missing = [i for i in dict.fromkeys(named) if i not in {row.delivery_id for row in found}]
    for delivery_id in missing:
        print(f"certhub: no dead letter {delivery_id}", file=sys.stderr)
    return 1 if missing else 0


def _left(limit: int, count: int) -> str:
    more = f" (run again, or raise --limit {limit})" if count else ""
    return f"{count} matching dead letter(s) remain{more}"


def _purge_confirmed(
    args: argparse.Namespace, where: DeadLetterFilter, rows: Sequence[OutboxRow], matching: int
) -> bool:
    """Show what would go; True when it may go (named ids, --yes, or a yes on the terminal)."""
    _print_list(rows, summary=False)
    rest = matching - len(rows)
    tail = f"; {rest} more match and stay (--limit {args.limit})" if rest else ""
    print(f"{len(rows)} dead letter(s) would be purged{tail}")
    if args.dry_run:
        print("dry run: nothing purged")
        return False
    named = bool(where.delivery_ids) and where == DeadLetterFilter(delivery_ids=where.delivery_ids)
    if not rows or args.yes or named:  # naming the ids is the confirmation
        return True
    if not sys.stdin.isatty():
        raise CliError(f"purging {len(rows)} dead letter(s) needs --yes (no terminal to ask on)")
    if ask(f"purge these {len(rows)} dead letter(s)?"):
        return True
    raise CliError("not confirmed: nothing purged")


async def _change(ledger: Ledger, action: str, rows: Sequence[OutboxRow]) -> int:
    actor = f"ops:{getpass.getuser()}"
    ids = [row.delivery_id for row in rows]
    if not ids:
        return 0
    if action == "replay":
        return await ledger.replay_dead_letters(ids, actor, time.time())
    return await ledger.purge_dead_letters(ids, actor)


async def _open(args: argparse.Namespace, *, writable: bool) -> Ledger:
    settings = Settings(
        **{k: v for k, v in {"data_dir": args.data, "database_url": args.database_url}.items() if v}
    )
    must_exist(settings, ledger=True)
    return await open_ledger(settings, read_only=not writable)


def _print_list(rows: Sequence[OutboxRow], *, summary: bool = True) -> None:
    for row in rows:
        created = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(row.created_at))
        print(
            f"{row.delivery_id}  {row.destination}  {row.operation}  attempts={row.attempts}"
            f"  error={row.last_error or '-'}  created={created}Z"
        )
    if summary:
        print(f"{len(rows)} dead letter(s)")


def _print_full(rows: Sequence[OutboxRow]) -> None:
    for row in rows:
        body = {
            "delivery_id": row.delivery_id,
            "destination": row.destination,
            "operation": row.operation,
            "correlation_id": row.correlation_id,
            "attempts": row.attempts,
            "last_error": row.last_error,
            "created_at": row.created_at,
            "payload": mask_ids_in_text(row.payload.decode("utf-8", "replace")),
        }
        print(json.dumps(body, ensure_ascii=False, indent=2))
