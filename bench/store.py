"""Ledger store benchmark: appends/s of the SQLite and the PostgreSQL ledger, same durability.

    .venv/bin/python bench/store.py [--messages 20000] [--concurrency 64]
        [--admin-url postgresql://postgres@127.0.0.1:5432/postgres]

``--concurrency`` appenders each await one append after another (a closed
loop, like request handlers waiting for their 202) until ``--messages`` are
stored. Both ledgers commit durably: SQLite with ``synchronous=FULL`` (fsync
per group commit), PostgreSQL with ``synchronous_commit=on`` (WAL flush per
group commit). Plain messages (no effects) of ``--size`` bytes, each with its
"message accepted" audit link; receipts are constant strings so only the
store is measured. PostgreSQL runs in a throw-away database, dropped at the end.

``--certifications`` appends pushed certifications instead: each with its
register write and its uplink delivery, as the ingress path plans a
self-service certification (distinct people). On PostgreSQL it measures, in
alternating ``--rounds``, a group commit storing them one savepoint each (the
rule before: only a message opening an item was "plain") against the bulk
path's runs (:func:`certhub.hub.store.postgres.bulk.is_plain` now).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "support"))  # the store tests' messages: one recipe

from ledgerkit import receipt, unsigned_message
from scratch_db import create_scratch, drop_scratch

from certhub.hub.store import LedgerStore, NewMessage, RecordKind, SqliteLedger
from certhub.hub.store.effects import NO_EFFECTS, Effects, OutboxWrite, RegisterCertification
from certhub.hub.store.postgres import PostgresLedger, commit

Item = tuple[NewMessage, Effects]


def make_messages(count: int, size: int, run: str, *, certifications: bool = False) -> list[Item]:
    """``count`` distinct report messages with a ``size``-byte JWS each, or certifications
    of distinct people with their register write and uplink delivery."""
    now = datetime.now(UTC)
    messages = []
    for n in range(count):
        jws = (f"{run}-{n}-".encode() * size)[:size]
        message = unsigned_message(
            n,
            jws=jws,
            message_id=f"{run}-{n}",
            payload=jws,
            received_at=now,
            county="440103",
            period="2024-03",
        )
        effects = NO_EFFECTS
        if certifications:
            message, effects = _certification(message, f"{run}-{n}")
        messages.append((message, effects))
    return messages


def _certification(message: NewMessage, person: str) -> Item:
    """``message`` as a pushed face certification of ``person``, planned as ingress plans it."""
    message = replace(
        message,
        kind=RecordKind.CERTIFICATION,
        message_type="certification_event/v1",
        sender="app",
        person_id=person,
        period="2026-10",
        reason="face",
        channel="app",
        outcome="certified",
    )
    month = 2026 * 12 + 9
    certified = RegisterCertification(person, "2026-10-09", month, "face", "app", "440103", "n")
    uplink = OutboxWrite(f"uplink:{person}", "ministry", "push_certification", message.payload)
    return message, Effects(outbox=(uplink,), certified=certified)


async def drive(store: LedgerStore, messages: list[Item], concurrency: int) -> float:
    """Append every message with ``concurrency`` closed-loop appenders; appends/s."""
    queue = iter(messages)

    async def appender() -> None:
        for message, effects in queue:
            await store.append(message, receipt, effects)

    started = time.perf_counter()
    await asyncio.gather(*(appender() for _ in range(concurrency)))
    return len(messages) / (time.perf_counter() - started)


async def measure(
    name: str,
    opener: Callable[[], Awaitable[LedgerStore]],
    args: argparse.Namespace,
    batches: list[int],
) -> float:
    """Warm up, then measure one backend; print its figure."""
    store = await opener()
    certifications = args.certifications
    try:
        warm = make_messages(500, args.size, f"warm-{name}", certifications=certifications)
        await drive(store, warm, args.concurrency)
        batches.clear()
        items = make_messages(args.messages, args.size, name, certifications=certifications)
        rate = await drive(store, items, args.concurrency)
    finally:
        await store.aclose()
    mean_batch = statistics.fmean(batches) if batches else 0.0
    print(f"{name:<11} {rate:>10,.0f} appends/s   mean batch {mean_batch:6.1f} messages")
    return rate


async def main() -> None:
    """Run both backends and print appends/s and the PostgreSQL/SQLite ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--size", type=int, default=1024, help="bytes per signed message")
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument(
        "--certifications",
        action="store_true",
        help="certifications with register write and uplink; PostgreSQL before/after",
    )
    parser.add_argument("--rounds", type=int, default=3, help="--certifications: rounds")
    args = parser.parse_args()
    if args.certifications:
        await certifications(args)
        return
    batches: list[int] = []
    print(f"{args.messages} appends, {args.concurrency} concurrent appenders, {args.size} B each")
    with tempfile.TemporaryDirectory() as folder:
        sqlite = await measure(
            "sqlite",
            lambda: SqliteLedger.open(
                Path(folder) / "ledger.db", synchronous="FULL", on_commit=batches.append
            ),
            args,
            batches,
        )
    url = await create_scratch(args.admin_url)
    try:
        postgres = await measure(
            "postgresql", lambda: PostgresLedger.open(url, on_commit=batches.append), args, batches
        )
    finally:
        await drop_scratch(args.admin_url, url)
    print(f"ratio postgresql/sqlite: {postgres / sqlite:.2f}")


async def certifications(args: argparse.Namespace) -> None:
    """PostgreSQL, pushed certifications: one savepoint each (before) against the bulk
    path's runs (after), alternating, each round in a fresh database; medians."""
    rates: dict[str, list[float]] = {"savepoint each (before)": [], "bulk runs (after)": []}
    batches: list[int] = []
    print(f"{args.messages} certifications, {args.concurrency} concurrent appenders, PostgreSQL")
    # The group commit's rule swapped in its module for the "before" rounds: the code
    # measured is otherwise the same, in the same process, alternating with "after".
    rules = vars(commit)
    bulk = rules["is_plain"]
    for number in range(args.rounds):
        for label, measured in rates.items():
            url = await create_scratch(args.admin_url)
            rules["is_plain"] = _item_only if label.startswith("savepoint") else bulk
            try:
                opener = partial(PostgresLedger.open, url, on_commit=batches.append)
                measured.append(await measure(f"{label} {number + 1}", opener, args, batches))
            finally:
                rules["is_plain"] = bulk
                await drop_scratch(args.admin_url, url)
    before, after = (statistics.median(r) for r in rates.values())
    print(f"median before {before:,.0f}/s, after {after:,.0f}/s, ratio {after / before:.2f}")


def _item_only(effects: Effects) -> bool:
    """The plain rule before certifications' register writes were taught to the bulk path."""
    return effects == NO_EFFECTS or replace(effects, item=None) == NO_EFFECTS


if __name__ == "__main__":
    asyncio.run(main())
