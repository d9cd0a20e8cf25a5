"""Snapshots into DuckDB: the roster and every feed, with each refused row kept aside.

Nothing here loops over rows: DuckDB's CSV reader parses, and refuses what it
cannot parse into its rejects tables (missing or extra columns, invalid UTF-8);
the checks of the canonical record (ID number, dates, kind) are SQL in
:mod:`certhub.hub.comparison.rules`. Python only looks at each file's header and, for a
file that is not UTF-8, transcodes it from GB18030 (a superset of GBK) in
chunks — departments' exports are often GBK.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

import duckdb

from certhub.hub.comparison.catalogue import DEPARTMENTS, FEED_COLUMNS, ROSTER_COLUMNS
from certhub.hub.comparison.sqlfuncs import sql_path

__all__ = ["ComparisonInputError", "FileNote", "load_feeds", "load_roster"]

_CHUNK = 1 << 20


class ComparisonInputError(ValueError):
    """An input the run cannot use at all (a roster without a needed column, no roster)."""


@dataclass(frozen=True)
class FileNote:
    """What was noticed about one input file as a whole (encoding, emptiness, …)."""

    source: str
    note: str


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    with path.open("rb") as stream:
        try:
            while chunk := stream.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _as_utf8(path: Path, scratch: Path, notes: list[FileNote], source: str) -> Path:
    """``path`` itself if UTF-8; a UTF-8 copy if the whole file is GB18030/GBK."""
    if _decodes(path, "utf-8"):
        return path
    if not _decodes(path, "gb18030"):
        notes.append(FileNote(source, "neither UTF-8 nor GBK: undecodable lines refused"))
        return path
    target = scratch / f"{source}.utf8.csv"
    with (
        path.open("r", encoding="gb18030", newline="") as src,
        target.open("w", encoding="utf-8", newline="") as dst,
    ):
        while text := src.read(_CHUNK):
            dst.write(text)
    notes.append(FileNote(source, "GBK-encoded: read as GB18030"))
    return target


def _header(path: Path) -> list[str]:
    with path.open("r", encoding="utf-8", errors="replace", newline="") as stream:
        first = stream.readline().strip().lstrip("\ufeff")
    return [name.strip() for name in first.split(",")] if first else []


def _csv_sql(path: Path, columns: tuple[str, ...], rejects: str) -> str:
    spec = ", ".join(f"'{c}': 'VARCHAR'" for c in columns)
    return (
        f"read_csv({sql_path(path)}, header = true, auto_detect = false, delim = ',',"
        f" quote = '\"', columns = {{{spec}}}, store_rejects = true,"
        f" rejects_table = '{rejects}', rejects_scan = '{rejects}_scan', parallel = true)"
    )


def load_roster(con: duckdb.DuckDBPyConnection, folder: Path, scratch: Path) -> list[FileNote]:
    """Table ``roster_raw`` (VARCHAR columns) and ``rejects_roster`` from DIR/roster.{parquet,csv}.

    Raises:
        ComparisonInputError: no roster, or its header lacks one of :data:`ROSTER_COLUMNS`.
    """
    notes: list[FileNote] = []
    parquet, csv = folder / "roster.parquet", folder / "roster.csv"
    columns = ", ".join(f"CAST({c} AS VARCHAR) AS {c}" for c in ROSTER_COLUMNS)
    if parquet.exists():
        names = [
            row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {sql_path(parquet)}").fetchall()
        ]
        _require(names, "roster.parquet")
        con.execute(
            f"CREATE OR REPLACE TABLE roster_raw AS SELECT {columns} FROM {sql_path(parquet)}"
        )
        con.execute(
            "CREATE OR REPLACE TABLE rejects_roster AS SELECT"
            " 0::BIGINT AS line, ''::VARCHAR AS error_type, ''::VARCHAR AS csv_line WHERE false"
        )
        return notes
    if not csv.exists():
        raise ComparisonInputError(f"no roster.parquet or roster.csv in {folder}")
    readable = _as_utf8(csv, scratch, notes, "roster")
    _require(_header(readable), "roster.csv")
    con.execute(
        "CREATE OR REPLACE TABLE roster_raw AS SELECT * FROM "
        + _csv_sql(readable, ROSTER_COLUMNS, "rej_roster")
    )
    con.execute(
        "CREATE OR REPLACE TABLE rejects_roster AS"
        " SELECT line, min(error_type) AS error_type, any_value(csv_line) AS csv_line"
        " FROM rej_roster GROUP BY line"
    )
    return notes


def _require(header: list[str], name: str) -> None:
    missing = [c for c in ROSTER_COLUMNS if c not in header]
    if missing:
        raise ComparisonInputError(
            f"{name} has no column {', '.join(missing)}: the run is refused, nothing is recorded"
        )


def load_feeds(con: duckdb.DuckDBPyConnection, folder: Path, scratch: Path) -> list[FileNote]:
    """Table ``feed_raw`` (one row per parsed line, with its department) and ``rejects_feed``.

    A file for an unknown department, an empty file, or a file whose header is
    not :data:`FEED_COLUMNS` is noted and skipped (never guessed at).
    """
    notes: list[FileNote] = []
    parts: list[str] = []
    rejects: list[str] = []
    for path in sorted(folder.glob("*.csv")) + sorted(folder.glob("*.parquet")):
        source = path.stem
        if source == "roster":
            continue
        if source not in DEPARTMENTS:
            notes.append(FileNote(source, "unknown department: file skipped"))
            continue
        if path.suffix == ".parquet":
            cols = ", ".join(f"CAST({c} AS VARCHAR) AS {c}" for c in FEED_COLUMNS)
            parts.append(f"SELECT '{source}' AS department, {cols} FROM {sql_path(path)}")
            continue
        if path.stat().st_size == 0:
            notes.append(FileNote(source, "empty file (no header): nothing to compare"))
            continue
        readable = _as_utf8(path, scratch, notes, source)
        if tuple(_header(readable)) != FEED_COLUMNS:
            notes.append(FileNote(source, "header is not the feed's columns: file refused"))
            continue
        table = f"rej_{source}"
        con.execute(
            f"CREATE OR REPLACE TABLE feed_{source} AS SELECT '{source}' AS department, * FROM "
            + _csv_sql(readable, FEED_COLUMNS, table)
        )
        if con.execute(f"SELECT count(*) FROM feed_{source}").fetchone() == (0,):
            notes.append(FileNote(source, "empty feed: no records"))
        parts.append(f"SELECT * FROM feed_{source}")
        # DuckDB keeps one reject per missing column: one refused row is one line
        rejects.append(
            f"SELECT '{source}' AS source, line, min(error_type) AS error_type,"
            f" any_value(csv_line) AS csv_line FROM {table} GROUP BY line"
        )
    empty = ", ".join(f"NULL::VARCHAR AS {c}" for c in ("department", *FEED_COLUMNS))
    con.execute(
        "CREATE OR REPLACE TABLE feed_raw AS "
        + (" UNION ALL BY NAME ".join(parts) if parts else f"SELECT {empty} WHERE false")
    )
    con.execute(
        "CREATE OR REPLACE TABLE rejects_feed AS "
        + (
            " UNION ALL ".join(rejects)
            if rejects
            else "SELECT ''::VARCHAR AS source, 0::BIGINT AS line, ''::VARCHAR AS error_type,"
            " ''::VARCHAR AS csv_line WHERE false"
        )
    )
    return notes
