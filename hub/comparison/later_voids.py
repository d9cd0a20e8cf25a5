"""The voids of the runs recorded for the period compared or a later one (R-REVERSAL).

A department's void withdraws its record whatever order the months are run in. A
period's run reads the ledger-recorded voids of every run of its period or a later one
(their ``reversals.json`` beside the summaries, ``DATA/comparison-runs``), so a record
of its own feeds that such a void withdraws is not used — no task, no 免办 certification
— exactly as if the void had been in its own feed, and it is listed among its reversals
naming that run (``void_run``, ``void_period``). Without this, a month run after the
next one opened a task (or certified) on a record the next month's run had found
nothing to act on (``no_task``, nothing in the ledger). Its recording acts on none of
those rows (:mod:`.recording`): the later run recorded the void, and a record its
department sends again after it is the business of the run whose feed holds it.

A run counts as recorded when its summary (``<period>-<city|all>.json``) has the
ledger's tally (``certhub compare run`` without ``--no-ledger``, or a worker's
partition), or once it was (``<run>.recorded`` beside it: a ``--no-ledger`` compare of
it again rewrites the summary without the tally). Only the rows of a run's own feed are
read (``void_run`` empty; files written before this column existed have none): a row it
carried from a still later run is read from that run's own file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Final

import duckdb

from certhub.hub.comparison.sqlfuncs import sql_path

__all__ = ["LATER_VOIDS_TABLE", "load_later_voids", "recorded_mark", "recorded_reversals"]

LATER_VOIDS_TABLE: Final = """later_voids (department VARCHAR, voided_record_id VARCHAR,
    id_number VARCHAR, void_record_id VARCHAR, void_date DATE, void_period VARCHAR,
    void_run VARCHAR)"""
"""The table the rule reads: each recorded void of a run of the period or later."""
_SUMMARY: Final = re.compile(r"([0-9]{4}-[0-9]{2})-(?:all|[0-9]{4})\.json")
_COLUMNS: Final = (
    "{department: 'VARCHAR', voided_record_id: 'VARCHAR', id_number: 'VARCHAR',"
    " void_record_id: 'VARCHAR', void_date: 'DATE', void_run: 'VARCHAR'}"
)


def recorded_reversals(
    runs_dir: Path, period: str, own: str | None = None
) -> list[tuple[str, str, Path]]:
    """(run id, period, ``reversals.json``) of each recorded run of ``period`` or later but
    ``own`` (the run reading them: its previous output is what it replaces, not a later
    run's voids; read, a void its feed no longer holds withdrew the record once more, named
    as its own run's, and the next run of the same input did not)."""
    found: list[tuple[str, str, Path]] = []
    for summary in sorted(runs_dir.glob("*.json")) if runs_dir.is_dir() else ():
        named = _SUMMARY.fullmatch(summary.name)
        if named is None or named[1] < period or summary.stem == own:  # YYYY-MM sorts
            continue
        reversals = runs_dir / summary.stem / "reversals.json"
        if reversals.is_file() and _recorded(summary):
            found.append((summary.stem, named[1], reversals))
    return found


def recorded_mark(summary: Path) -> Path:
    """The file the recording leaves beside a run's summary (``<run>.recorded``): the run
    was recorded, even after a ``--no-ledger`` compare of it rewrote the summary."""
    return summary.with_suffix(".recorded")


def _recorded(summary: Path) -> bool:
    """Whether the run's results were recorded: its summary holds the ledger's tally, or
    a recording of it left :func:`recorded_mark` (a later ``--no-ledger`` compare of the
    same run rewrote the summary without the tally; the ledger still holds what it did)."""
    if recorded_mark(summary).is_file():
        return True
    try:
        document = json.loads(summary.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # being rewritten, or not a summary: not a recorded run
        return False
    return isinstance(document, dict) and "ledger" in document


def load_later_voids(
    con: duckdb.DuckDBPyConnection, runs_dir: Path, period: str, own: str | None = None
) -> int:
    """``later_voids``: the own-feed voids of every recorded run of ``period`` or later but
    the run ``own`` (:func:`recorded_reversals`); how many rows."""
    con.execute(f"CREATE OR REPLACE TABLE {LATER_VOIDS_TABLE}")
    for run_id, void_period, reversals in recorded_reversals(runs_dir, period, own):
        try:
            con.execute(
                f"""INSERT INTO later_voids
                SELECT department, voided_record_id, id_number, void_record_id, void_date,
                       '{void_period}', '{run_id}'
                FROM read_json({sql_path(reversals)}, format = 'newline_delimited',
                               columns = {_COLUMNS})
                WHERE void_run IS NULL AND voided_record_id IS NOT NULL"""
            )
        except duckdb.IOException:  # that run is being written again (its folder swapped):
            continue  # a run of the same feed again, whose voids it repeats
    counted = con.execute("SELECT count(*) FROM later_voids").fetchone()
    return counted[0] if counted else 0
