"""``certhub compare generate|run``: the monthly information comparison (信息比对).

``run`` compares a roster snapshot with the departments' feeds for one period
(see :mod:`certhub.hub.comparison`), then records each seen-alive pensioner's
certification in the ledger exactly as every inbound record is recorded
(:class:`~certhub.hub.ingress.inbound.InboundIngestor`): one ``certification_event/v1`` per
person, signed by the hub as ``adapter:comparison``, verified, validated,
planned, recorded, receipted. Message ids come from period + person, so a
re-run records nothing new. Proposals of verification tasks, reversals and
the name-only review queue are written as files beside the summary
(``DATA/comparison-runs/<period>-<city|all>.json``) for staff to act on.
On SQLite the hub must be stopped (one process owns the ledger).

When the data folder holds the period's roster as ``certhub roster import``
checked it (``DATA/roster/snapshots/YYYY-MM.checked/``,
:mod:`certhub.hub.comparison.typed_roster`), ``run`` reads that instead of the
input folder's roster; so does every partition of ``--by-city`` (each job
names the snapshot: see :mod:`certhub.hub.comparison.partitions`).

``run --by-city`` splits the run into its 21 city partitions
(:mod:`certhub.hub.comparison.jobs`): on the embedded default this process
runs them side by side; with ``CERTHUB_BROKER=rabbitmq`` it publishes them
for the workers (``certhub serve --role worker``) and waits for all to settle.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import Any

from certhub.hub.cli.common import (
    CliError,
    must_exist,
    offline_settings,
    one_line,
    started_hub,
)
from certhub.hub.cli.compare_ledger import purge_unmatched, record_run
from certhub.hub.cli.compare_pull import add_pull_command, pull_feeds
from certhub.hub.comparison.engine import RunOptions, parse_period, run_comparison
from certhub.hub.comparison.loading import ComparisonInputError
from certhub.hub.comparison.progress import ProgressBar
from certhub.hub.comparison.typed_roster import checked_roster
from certhub.hub.core.settings import Settings
from certhub.hub.rules.months import month_index, month_label
from certhub.schemas.clock import shanghai_today

__all__ = ["add_compare_commands"]


def add_compare_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``certhub compare generate``, ``run``, ``pull`` and ``purge``."""
    compare = sub.add_parser("compare", help="monthly information comparison")
    commands = compare.add_subparsers(required=True)
    gen = commands.add_parser("generate", help="write a synthetic roster, feeds and their truth")
    gen.add_argument(
        "--pensioners", type=int, required=True, metavar="N", help="roster size to generate"
    )
    gen.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder to write")
    gen.add_argument("--seed", type=int, default=1, help="random seed (same seed, same data)")
    gen.add_argument("--period", help="YYYY-MM the feeds cover (default: last month)")
    gen.set_defaults(command=_generate)
    run = commands.add_parser("run", help="compare a period and record its certifications")
    run.add_argument("--period", required=True, help="YYYY-MM")
    run.add_argument("--input", type=Path, required=True, metavar="DIR", help="roster + feeds")
    run.add_argument("--city", help="one city's 4-digit prefix (4401..4453); default all")
    run.add_argument("--data", type=Path, help="data folder (CERTHUB_DATA_DIR)")
    run.add_argument("--database-url", help="postgresql://… (CERTHUB_DATABASE_URL)")
    run.add_argument("--no-ledger", action="store_true", help="compare only; record nothing")
    run.add_argument("--progress", action="store_true", help="progress on stderr, also off a TTY")
    run.add_argument(
        "--by-city",
        action="store_true",
        help="split into the 21 city partitions, run as jobs: side by side here, or by the"
        " workers with CERTHUB_BROKER=rabbitmq",
    )
    run.add_argument(
        "--no-wait", action="store_true", help="--by-city: submit, do not wait for the partitions"
    )
    run.add_argument(
        "--pull",
        action="store_true",
        help="first pull public security's cancellations of the period into the input folder"
        " (as `compare pull`); the run is refused if the pull fails",
    )
    run.set_defaults(command=_run)
    add_pull_command(commands)
    purge = commands.add_parser(
        "purge", help="delete unmatched feed records past their retention (audited)"
    )
    purge.add_argument("--data", type=Path, help="data folder (CERTHUB_DATA_DIR)")
    purge.add_argument("--database-url", help="postgresql://… (CERTHUB_DATABASE_URL)")
    purge.set_defaults(command=_purge)


def _purge(args: argparse.Namespace) -> int:
    settings = offline_settings(args)
    must_exist(settings, ledger=True)
    purged = asyncio.run(_purge_now(settings))
    days = settings.comparison_unmatched_retention_days
    print(f"{len(purged)} file(s) of unmatched feed records older than {days} days purged")
    return 0


async def _purge_now(settings: Settings) -> list[str]:
    from certhub.hub.store import open_ledger

    ledger = await open_ledger(settings)
    try:
        runs_dir = settings.data_dir / "comparison-runs"
        days = settings.comparison_unmatched_retention_days
        return await purge_unmatched(ledger, runs_dir, days, time.time())
    finally:
        await ledger.aclose()


def _last_month() -> str:
    return month_label(month_index(shanghai_today()) - 1)


def _generate(args: argparse.Namespace) -> int:
    from certhub.hub.comparison.generate import generate

    period = args.period or _last_month()
    try:
        parse_period(period)
        began = time.perf_counter()
        made = generate(args.out, args.pensioners, period=period, seed=args.seed)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    rows_written = sum(made.feed_rows.values())
    print(
        f"{args.out}: {made.pensioners} pensioners, {rows_written} feed rows for {period}"
        f" in {time.perf_counter() - began:.1f} s (truth in {args.out / 'truth'})"
    )
    return 0


def _run(args: argparse.Namespace) -> int:
    settings = offline_settings(args)
    show = args.progress or sys.stderr.isatty()
    if args.pull:
        try:
            pull_feeds(settings, args.period, args.input)
        except CliError as exc:
            raise CliError(
                f"{exc} - the run is refused: nothing compared, nothing recorded"
            ) from None
    if args.by_city:
        if args.city is not None or args.no_ledger:
            raise CliError("--by-city runs and records every city: no --city, no --no-ledger")
        try:
            parse_period(args.period)
        except ValueError as exc:
            raise CliError(str(exc)) from None
        inputs = args.input.resolve()  # the workers read it from their own working folder
        typed = _typed(settings, args.period)
        try:
            summary = asyncio.run(
                _by_city(settings, (inputs, typed), args.period, args.no_wait, show)
            )
        except (ComparisonInputError, ValueError) as exc:  # RunInProgress is a ValueError
            raise CliError(one_line(exc)) from None
        return _report_by_city(summary)
    if args.no_wait:
        raise CliError("--no-wait goes with --by-city")
    typed = _typed(settings, args.period)
    bar = ProgressBar(sys.stderr, 1, "steps") if show else None
    try:
        result = run_comparison(
            args.input,
            settings.data_dir / "comparison-runs",
            args.period,
            city=args.city,
            options=RunOptions(),
            on_step=bar.step if bar else None,
            typed_roster=typed,
        )
    except (ComparisonInputError, ValueError) as exc:
        raise CliError(one_line(exc)) from None
    finally:
        if bar is not None:
            bar.done()
    summary = result.summary
    if not args.no_ledger:
        asyncio.run(record_run(settings, result, args.period, show=show))  # adds "ledger"
    print(_line(summary))
    ledger = summary.get("ledger", {})
    refused = ledger.get("refused", 0) + sum(
        ledger.get(part, {}).get("refused", 0) for part in ("reports", "reversals")
    )
    return 1 if refused else 0


def _typed(settings: Settings, period: str) -> Path | None:
    """The month's roster as checked at import, if the data folder has it (absolute)."""
    typed = checked_roster(settings.data_dir.resolve(), period)
    if typed is not None:  # no need to read the CSV
        print(f"roster: {typed} (checked at import)", file=sys.stderr)
    return typed


async def _by_city(
    settings: Settings,
    rosters: tuple[Path, Path | None],
    period: str,
    no_wait: bool,
    show: bool,
) -> dict[str, Any]:
    """Submit the run split by city in a started hub (its partition queue); wait unless told.

    ``rosters``: the input folder, and the month's typed snapshot if there is one.
    """
    from certhub.hub.core.keys import COMPARISON_JOBS

    inputs, typed = rosters
    async with started_hub(settings) as app:
        jobs = app[COMPARISON_JOBS]
        run = await jobs.submit(inputs, period, as_of=shanghai_today(), roster=typed)
        if no_wait:
            return await jobs.summarise(run)

        def progress(settled: int, total: int) -> None:
            print(f"\r[{settled}/{total}] city partitions settled", end="", file=sys.stderr)

        try:
            return await jobs.wait(run, progress if show else None)
        finally:
            if show:
                print(file=sys.stderr)


def _report_by_city(summary: dict[str, Any]) -> int:
    """Print the run's line and its partitions'; 1 if a partition failed or a record was refused."""
    print(_line(summary))
    partitions = summary["partitions"]
    states: dict[str, int] = {}
    for entry in partitions.values():
        states[entry["state"]] = states.get(entry["state"], 0) + 1
    counts = ", ".join(f"{n} {state}" for state, n in sorted(states.items()))
    print(f"partitions ({summary['state']}): {counts}")
    for city, entry in partitions.items():
        if entry["error"]:
            print(f"  {city}: {entry['state']} after {entry['attempts']}: {entry['error']}")
    ledger = summary.get("ledger", {})
    refused = ledger.get("refused", 0) + sum(
        ledger.get(part, {}).get("refused", 0) for part in ("reports", "reversals")
    )
    return 1 if refused or summary["state"] == "failed" else 0


def _line(summary: dict[str, Any]) -> str:
    tasks = sum(n for kinds in summary["tasks"].values() for n in kinds.values())
    refused = sum(e["count"] for r in summary["refused"].values() for e in r.values())
    ledger = summary.get("ledger")
    recorded = (
        f", ledger: {ledger['recorded']} recorded, {ledger['already']} already, "
        f"{ledger['refused']} refused, {sum(ledger.get('withheld', {}).values())} withheld"
        f"; tasks {ledger['reports'].get('task_opened', 0)} opened,"
        f" {ledger['reports'].get('task_joined', 0)} joined; reversals "
        + (", ".join(f"{n} {k}" for k, n in sorted(ledger["reversals"].items())) or "none")
        if ledger
        else ""
    )
    return (
        f"comparison {summary['run_id']}: {summary['roster']} on the roster, "
        f"{summary['certified']} certified (免办 {summary['exempt_ratio']:.2%}), "
        f"{tasks} task proposals, {summary['reversals']} reversals, "
        f"{summary['review']} for review, {refused} feed rows refused{recorded}"
    )
