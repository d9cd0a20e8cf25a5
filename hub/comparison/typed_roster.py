"""The roster checked once, at import: a typed snapshot a comparison run reads instead of the CSV.

``certhub roster import`` writes, beside the month's snapshot, the folder
``DATA/roster/snapshots/YYYY-MM.checked/`` (:func:`write_typed_roster`):

- ``roster.parquet`` — every row the reader parsed, with the comparison's
  R-CLEAN checks already made (:mod:`certhub.hub.comparison.cleaning`): the ID
  number as checked (trimmed, upper case), its first 17 digits (``n17``) and
  birth date, the city, ``id_ok`` (the number is valid on any day from its
  birth date on), ``problem`` (``invalid-county`` or ``missing-name``, else
  NULL) and ``repeated`` (another row with a valid number has the same one);
- ``rejects.parquet`` — the lines the CSV reader refused, as a run keeps them;
- ``notes.json`` — what was noticed about the file (GBK, …);
- ``source.json`` — the SHA-256 of the file it was checked from: a city
  partition's worker that cannot see the snapshot reads its input folder's
  roster instead only if it is that very file (:func:`partition_roster`).

A run of a period whose month has such a folder (:func:`load_typed_roster`)
reads it instead of the input folder's roster: only the checks that depend on
the run remain — the birth date not after the run's day, the city of a
partition, and which repeated numbers repeat within it — so its outputs are
the CSV path's, byte for byte (a test runs both). The per-row trims, casts and
check-digit arithmetic are paid once a month, not once a run. A run split by
city (``--by-city``) reads it too: the job of each city names it
(:class:`~certhub.hub.comparison.partitions.PartitionJob`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from pathlib import Path
from typing import Final

import duckdb

from certhub.hub.comparison.catalogue import ROSTER_COLUMNS
from certhub.hub.comparison.loading import (
    ComparisonInputError,
    FileNote,
    header_of,
    read_roster_csv,
)
from certhub.hub.comparison.sqlfuncs import install_macros, sql_path
from certhub.hub.comparison.window import RunWindow

__all__ = [
    "TYPED_MARKER",
    "checked_roster",
    "file_sha256",
    "load_typed_roster",
    "partition_roster",
    "snapshot_source",
    "typed_roster_sql",
    "write_typed_roster",
]

log = logging.getLogger(__name__)

TYPED_MARKER: Final = "roster_typed"
"""A table a run has when its roster came from a typed snapshot (:func:`load_typed_roster`)."""

# Valid on some day: the check with no upper bound on the birth date; a run adds its own.
_ANY_DAY: Final = "DATE '9999-12-31'"


def typed_roster_sql(source: str) -> str:
    """The typed rows of the roster rows ``source`` (raw text columns, as the reader gives them).

    The same expressions as :func:`~certhub.hub.comparison.cleaning.checked_roster_sql`,
    the birth date's upper bound left to the run.
    """
    return f"""SELECT id_number, name, county, village, substr(county, 1, 4) AS city,
            birth AS birth_date, n17, id_valid_nb(id_number, n17, birth, {_ANY_DAY}) AS id_ok,
            CASE WHEN county IS NULL OR NOT regexp_full_match(county, '44[0-9]{{4}}')
                     THEN 'invalid-county'
                 WHEN name IS NULL OR trim(name) = '' THEN 'missing-name' END AS problem
        FROM (
            SELECT *, id17_number(id_number) AS n17, id_birth(id_number) AS birth FROM (
                SELECT upper(trim(id_number)) AS id_number, name, trim(county) AS county,
                       nullif(trim(village), '') AS village
                FROM {source}))"""


def write_typed_roster(
    path: Path,
    target: Path,
    scratch: Path,
    *,
    memory_limit: str = "1GB",
    sha256: str | None = None,
) -> bool:
    """Check the roster file ``path`` (CSV or Parquet) and write its typed snapshot to ``target``.

    ``sha256`` is the file's digest when the caller has it already (else it is read here).

    ``target`` is replaced whole (written beside it, then renamed). A file
    without one of :data:`ROSTER_COLUMNS` gets none (False, and an earlier one
    at ``target`` is removed): a run then reads its input folder's roster, and
    refuses it there as it always did.
    """
    con = duckdb.connect(
        config={"memory_limit": memory_limit, "temp_directory": str(scratch / "typed-spill")}
    )
    try:
        install_macros(con)
        notes = _read(con, path, scratch)
        if notes is None:  # an earlier import's of the month must not stand in for this one
            shutil.rmtree(target, ignore_errors=True)
            return False
        staging = target.with_name(target.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        # Repeats among the numbers valid on some day: the few a run must look at again.
        # Stored by city (no result depends on the rows' order), so that each of a
        # --by-city run's 21 cities reads its own row groups only: the 21 loads cost
        # 1.2-1.7 against 3.2-3.8 CPU s unsorted at 1 million (2.4-2.6 against 7.2-8.5
        # at 3 million), the province's the same, the write ≤ 0.4 (1.7-2.6) more, once.
        con.execute(
            f"""COPY (SELECT t.*, r.n17 IS NOT NULL AS repeated FROM typed t LEFT JOIN (
                    SELECT n17 FROM typed WHERE id_ok GROUP BY n17 HAVING count(*) > 1) r
                  ON t.id_ok AND r.n17 = t.n17
                ORDER BY t.city NULLS LAST)
            TO {sql_path(staging / "roster.parquet")} (FORMAT PARQUET)"""
        )
        con.execute(
            f"COPY rejects_roster TO {sql_path(staging / 'rejects.parquet')} (FORMAT PARQUET)"
        )
        listed = [{"source": n.source, "note": n.note} for n in notes]
        (staging / "notes.json").write_text(json.dumps(listed, ensure_ascii=False) + "\n")
        source = {"sha256": sha256 or file_sha256(path)}
        (staging / "source.json").write_text(json.dumps(source) + "\n")
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
        return True
    finally:
        con.close()


def _read(con: duckdb.DuckDBPyConnection, path: Path, scratch: Path) -> list[FileNote] | None:
    """Table ``typed`` and ``rejects_roster`` from ``path``; None if it lacks a column."""
    into = "CREATE OR REPLACE TABLE typed AS "
    if path.suffix.lower() == ".parquet":
        file = sql_path(path)
        names = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {file}").fetchall()]
        if any(c not in names for c in ROSTER_COLUMNS):
            return None
        columns = ", ".join(f"CAST({c} AS VARCHAR) AS {c}" for c in ROSTER_COLUMNS)
        con.execute(into + typed_roster_sql(f"(SELECT {columns} FROM {file})"))
        con.execute(
            "CREATE OR REPLACE TABLE rejects_roster AS SELECT"
            " 0::BIGINT AS line, ''::VARCHAR AS error_type, ''::VARCHAR AS csv_line WHERE false"
        )
        return []
    header = header_of(path)
    if any(c not in header for c in ROSTER_COLUMNS):
        return None
    # The file's own columns: an import's roster has more than the comparison reads.
    return read_roster_csv(
        con, path, scratch, lambda reader: into + typed_roster_sql(reader), tuple(header)
    )


def load_typed_roster(
    con: duckdb.DuckDBPyConnection, snapshot: Path, window: RunWindow
) -> list[FileNote]:
    """Tables ``roster_checked`` and ``rejects_roster`` from a typed snapshot (and its notes).

    ``roster_checked`` gets the refusal ``reason`` the CSV path gives each row,
    repeats included (:func:`~certhub.hub.comparison.cleaning.clean_roster` then
    only makes the views), and the ``city`` and ``birth_date`` as stored.
    """
    rows = sql_path(snapshot / "roster.parquet")
    city = f"AND city = '{window.city}'" if window.city else ""
    valid = f"id_ok AND birth_date <= DATE '{window.as_of}'"
    # A number stored as repeated repeats in this run if two of its rows are here and
    # valid: the few repeated rows read again, no update of the table afterwards.
    con.execute(
        f"""CREATE OR REPLACE TABLE roster_checked AS
        SELECT id_number, name, county, village, city, birth_date, CASE
                WHEN NOT ({valid}) THEN 'invalid-id'
                WHEN problem IS NOT NULL THEN problem
                WHEN repeated AND n17 IN (
                    SELECT n17 FROM {rows} WHERE repeated AND {valid} {city}
                    GROUP BY n17 HAVING count(*) > 1) THEN 'duplicate-row'
            END AS reason
        FROM {rows} WHERE true {city}"""
    )
    con.execute(
        "CREATE OR REPLACE TABLE rejects_roster AS"
        f" SELECT * FROM {sql_path(snapshot / 'rejects.parquet')}"
    )
    con.execute(f"CREATE OR REPLACE TABLE {TYPED_MARKER} AS SELECT 1 AS typed")
    listed = json.loads((snapshot / "notes.json").read_text(encoding="utf-8"))
    return [FileNote(n["source"], n["note"]) for n in listed]


def file_sha256(path: Path) -> str:
    """The SHA-256 of the file ``path`` (hex)."""
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def checked_roster(data_dir: Path, period: str) -> Path | None:
    """The typed snapshot of ``period``'s month in the data folder ``data_dir``, if it has one."""
    folder = data_dir / "roster" / "snapshots" / f"{period}.checked"
    return folder if folder.is_dir() else None


def snapshot_source(snapshot: Path) -> str | None:
    """The SHA-256 of the file ``snapshot`` was checked from (None: written before it was kept)."""
    try:
        found = json.loads((snapshot / "source.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return str(found["sha256"])


def partition_roster(
    named: Path, sha256: str | None, inputs: Path, local: Path | None
) -> Path | None:
    """The typed snapshot a city partition reads, or None for its input folder's roster.

    ``named`` and ``sha256`` are the snapshot the run's submitter chose and the
    file it was checked from; ``local`` the month's snapshot in this worker's
    own data folder. The first of the two that is there, checked from that same
    file, is read. With neither, the input folder's roster is read if it is that
    very file (the same outputs: a test runs both), and a warning says so.

    Raises:
        ComparisonInputError: neither is there and the input folder's roster is not
            the file the snapshot was checked from (or is missing): a city read from
            another roster would not add up with the others.
    """
    for folder in (named, local):
        if folder is not None and folder.is_dir() and snapshot_source(folder) == sha256:
            return folder
    # As load_roster chooses: a Parquet roster before a CSV one.
    csv = next((f for f in (inputs / "roster.parquet", inputs / "roster.csv") if f.exists()), None)
    if sha256 is not None and csv is not None and file_sha256(csv) == sha256:
        log.warning(
            "the checked roster %s is not on this machine: reading %s, the file it was"
            " checked from", named, csv,
        )  # fmt: skip
        return None
    raise ComparisonInputError(
        f"the run reads the checked roster {named}, which is not on this machine (nor in its"
        f" data folder), and {inputs} has no roster.parquet or roster.csv it was checked from"
        f" (sha256 {sha256 or 'not kept'}): give the workers that folder, or the imported"
        " file as the input folder's roster"
    )
