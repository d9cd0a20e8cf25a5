"""``certhub roster import FILE``: the provincial roster in bulk, into the ledger's roster.

The file (CSV in UTF-8 or GBK, or Parquet) is checked in DuckDB
(:class:`~certhub.hub.register.importer.RosterFile`); the month's snapshot of
the accepted rows is kept as ``DATA/roster/snapshots/YYYY-MM.parquet``, and
every row of the file as the monthly comparison checks it in
``DATA/roster/snapshots/YYYY-MM.checked/``
(:mod:`~certhub.hub.comparison.typed_roster`: a run of that month reads it instead of
checking a roster CSV again); then
the rows go into the ledger's ``roster`` (what the restoration rules read) and
the register, a batch per group commit, and the import is one audit link. A
re-import of the same file changes nothing. On SQLite the hub must be stopped
(one process owns the ledger).

The rows go in past the intake planner, so the one rule of a roster entry that writes
money is applied afterwards: the few people whose benefit the hub closed and whose entry
is this import's (one query) have the months it shows paid after their termination
added to the task's overpayment
(:mod:`~certhub.hub.procedure.roster_late_import`), through the hub's own signing and
ledger path (the months paid after a stated end of sentence claimed as paid, as a pushed
entry's are); the summary says how many overpayments grew. With no such person, nothing
more is done.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from certhub.hub.cli.common import CliError, offline_settings, started_hub
from certhub.hub.comparison.progress import ProgressBar
from certhub.hub.comparison.typed_roster import file_sha256, write_typed_roster
from certhub.hub.core.settings import Settings
from certhub.hub.register.importer import RosterFile, RosterFileError
from certhub.hub.store import open_ledger
from certhub.hub.store.roster_import import RosterRange
from certhub.schemas.clock import CHINA_STANDARD_TIME, shanghai_today
from certhub.security import replace_atomic

__all__ = ["RosterImported", "add_roster_commands", "import_roster_file"]

BATCH = 50_000  # rows per group commit: memory stays bounded whatever the file's size
ACTOR = "cli:roster-import"


def add_roster_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``certhub roster import``."""
    roster = sub.add_parser("roster", help="the provincial roster")
    commands = roster.add_subparsers(required=True)
    load = commands.add_parser("import", help="load a roster file (CSV, UTF-8 or GBK; Parquet)")
    load.add_argument("file", type=Path, metavar="FILE", help="the roster file to load")
    load.add_argument(
        "--as-of",
        type=_moment,
        help="when the roster was true (ISO date-time; default: the file's modification time)",
    )
    load.add_argument("--month", help="the snapshot's month YYYY-MM (default: the as-of month)")
    load.add_argument("--data", type=Path, help="data folder (CERTHUB_DATA_DIR)")
    load.add_argument("--database-url", help="postgresql://… (CERTHUB_DATABASE_URL)")
    load.add_argument("--progress", action="store_true", help="progress on stderr, also off a TTY")
    load.set_defaults(command=_import)


def _moment(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("an ISO date or date-time, e.g. 2026-11-30") from None
    return value if value.tzinfo else value.replace(tzinfo=CHINA_STANDARD_TIME)


def _import(args: argparse.Namespace) -> int:
    path: Path = args.file
    if not path.is_file():
        raise CliError(f"{path}: no such file")
    settings = offline_settings(args)
    moment = args.as_of or datetime.fromtimestamp(path.stat().st_mtime, CHINA_STANDARD_TIME)
    show = args.progress or sys.stderr.isatty()
    imported = import_roster_file(settings, path, moment, month=args.month, progress=show)
    _report(imported)
    return 1 if imported.roster.refused else 0


@dataclass(frozen=True)
class RosterImported:
    """What one ``certhub roster import`` did: the checked file (its counts, refusals and
    notes), the month's snapshot, the seconds it took, the overpayments it grew."""

    roster: RosterFile
    snapshot: Path
    checked: float  # seconds until the rows were checked and the snapshot kept
    seconds: float
    grown: int


def import_roster_file(
    settings: Settings,
    path: Path,
    moment: datetime,
    *,
    month: str | None = None,
    progress: bool = False,
) -> RosterImported:
    """Import the roster file ``path`` as of ``moment`` into ``settings``' ledger, as
    ``certhub roster import`` does (its snapshot of ``month``, default the as-of month).

    Runs its own event loop: call it from a thread when one is running.

    Raises:
        CliError: ``month`` is not ``YYYY-MM``, or the file is refused as a whole.
    """
    as_of = moment.astimezone(CHINA_STANDARD_TIME).replace(microsecond=0).isoformat()
    month = month or as_of[:7]
    if len(month) != 7 or not month[:4].isdigit() or month[4] != "-" or month[5:] not in _MONTHS:
        raise CliError(f"--month {month!r} is not YYYY-MM")
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="certhub-roster-") as scratch:
        roster = RosterFile(path, Path(scratch), as_of=as_of, today=shanghai_today())
        try:
            steps = ProgressBar(sys.stderr, 4, "steps") if progress else None
            roster.load(on_step=steps.step if steps else None)
            if steps is not None:
                steps.done()
            snapshot = settings.data_dir / "roster" / "snapshots" / f"{month}.parquet"
            snapshot.parent.mkdir(parents=True, exist_ok=True)
            digest = file_sha256(path)  # read once: the audit's and the typed snapshot's
            if _snapshot_kept(snapshot, as_of):
                replace_atomic(snapshot, roster.write_snapshot())
                # the comparison's own checks, made once for every run of the month
                typed = snapshot.with_suffix(".checked")
                write_typed_roster(path, typed, Path(scratch), sha256=digest)
                replace_atomic(snapshot.with_suffix(".as_of"), as_of.encode())
            checked = time.perf_counter() - began
            grown = asyncio.run(
                _store(settings, roster, (f"{month}:{roster.accepted}", digest), progress)
            )
        except RosterFileError as exc:
            raise CliError(str(exc)) from None
        finally:
            roster.close()
    return RosterImported(roster, snapshot, checked, time.perf_counter() - began, grown)


_MONTHS = {f"{m:02d}" for m in range(1, 13)}


def _snapshot_kept(snapshot: Path, as_of: str) -> bool:
    """Whether this import, as of ``as_of``, replaces the month's ``snapshot`` (and its
    checked roster): not when the one there is as of a later moment (``YYYY-MM.as_of``).

    Decided here (money safety): the ledger takes an entry only newer than its own, but the
    month's comparison reads the snapshot as its roster; before, an older file imported
    after a newer one replaced it, and a pensioner enrolled in between matched no
    department's record (cremated: no death task, paid on).
    """
    stamp = snapshot.with_suffix(".as_of")
    kept = stamp.read_text(encoding="utf-8").strip() if stamp.is_file() else ""
    if kept and datetime.fromisoformat(kept) > datetime.fromisoformat(as_of):
        print(
            f"certhub: the {snapshot.stem} snapshot as of {kept} is newer than this file's"
            f" ({as_of}): kept; the ledger takes only entries newer than its own",
            file=sys.stderr,
        )
        return False
    return True


async def _store(settings: Settings, roster: RosterFile, audit: tuple[str, str], show: bool) -> int:
    """Write the accepted rows a batch per group commit, then the import's audit link; then
    the months paid after a termination (:func:`_late`): how many overpayments grew.

    Each batch goes as a range of ID numbers: the ledger first reads which of
    its people are already current, and only the others' rows are built (a
    re-import reads ID numbers and writes nothing). The next batch is checked
    and built (on a thread) while the ledger writes this one.
    """
    bar = ProgressBar(sys.stderr, roster.accepted, "rows") if show else None
    ledger = await open_ledger(settings)
    flight: list[asyncio.Task[None]] = []  # this batch's write, the next one's check and build
    try:
        for index, (first, last) in enumerate(roster.bounds(BATCH)):
            build = functools.partial(roster.batch, index, BATCH)
            batch = RosterRange(first, last, roster.as_of, build)
            flight.append(asyncio.create_task(ledger.import_roster(batch)))
            if len(flight) == 2:
                await _written(flight.pop(0), bar, BATCH)
        if flight:
            await _written(
                flight.pop(), bar, roster.accepted - (roster.accepted - 1) // BATCH * BATCH
            )
        subject, digest = audit
        await ledger.record_audit("roster_imported", subject, ACTOR, digest)
        closed = bool(await ledger.closed_imported(roster.as_of))
    finally:
        for task in flight:  # one failed: let the other end before the ledger closes
            with contextlib.suppress(Exception):
                await task
        if bar is not None:
            bar.done()
        await ledger.aclose()
    return await _late(settings, roster.as_of) if closed else 0


async def _late(settings: Settings, as_of: str) -> int:
    """Overpayments grown by the months the import as of ``as_of`` shows paid after a
    termination: signed by the hub, its resources started (not its HTTP server) once the
    import's own ledger is closed (on SQLite one process owns it).

    Raises:
        CliError: a person's ledger kept changing under every plan (the hub beside).
    """
    from certhub.hub.core.keys import PROCEDURE
    from certhub.hub.procedure.roster_late_import import imported_late_payments
    from certhub.hub.store.base import Conflict, ReplayConflict

    async with started_hub(settings) as app:
        try:
            return await imported_late_payments(app[PROCEDURE], as_of, ACTOR)
        except (Conflict, ReplayConflict) as exc:  # the ledger kept moving under one person
            raise CliError(
                f"the roster is imported, but months paid after a termination were not all"
                f" added ({exc}): import the file again (it adds only what is left)"
            ) from None


async def _written(writing: asyncio.Task[None], bar: ProgressBar | None, rows: int) -> None:
    """Wait for a batch's write; the bar counts its rows (written or found current)."""
    await writing
    if bar is not None:
        bar.advance(rows)


def _report(imported: RosterImported) -> None:
    roster, snapshot, seconds = imported.roster, imported.snapshot, imported.seconds
    refused = sum(r.count for r in roster.refused.values())
    rate = roster.rows / max(seconds, 1e-6)
    print(
        f"{roster.path.name}: {roster.rows} rows, {roster.accepted} accepted, {refused} refused"
        f" ({imported.checked:.1f} s checked, {seconds:.1f} s in all, {rate:,.0f} rows/s);"
        f" snapshot {snapshot}; {imported.grown} overpayments grown by months paid after a"
        " termination"
    )
    for note in roster.notes:
        print(f"  note: {note}")
    for reason, rows in sorted(roster.refused.items()):
        print(f"  refused {reason}: {rows.count} (e.g. {', '.join(rows.samples)})")
