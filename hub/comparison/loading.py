"""Snapshots into DuckDB: the roster and every feed, with each refused row kept aside.

Nothing here loops over rows: DuckDB's CSV reader parses, and refuses what it
cannot parse into its rejects tables (missing or extra columns, invalid UTF-8);
the checks of the canonical record (ID number, dates, kind) are SQL in
:mod:`certhub.hub.comparison.cleaning`. Python only looks at each file's header and, for a
file DuckDB found invalid UTF-8 in, checks the whole file and, if it is GB18030
(a superset of GBK), transcodes it in chunks and reads it again — departments'
exports are often GBK. A UTF-8 file is read once, by DuckDB alone: a Python
pass over every byte first cost 0.16 s per million roster rows.

Rows are checked as they are read (:func:`~certhub.hub.comparison.cleaning.checked_roster_sql`,
:func:`~certhub.hub.comparison.cleaning.checked_feed_sql`): the roster goes straight
into ``roster_checked`` and every feed into one ``feed_checked``, not a raw table
and then a checked copy of it, nor a table per file and then a copy of their
union: at millions of rows each copy is CPU time and memory the run's DuckDB
must otherwise spill.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from certhub.hub.comparison.catalogue import DEPARTMENTS, FEED_COLUMNS, ROSTER_COLUMNS
from certhub.hub.comparison.cleaning import checked_feed_sql, checked_roster_sql
from certhub.hub.comparison.sqlfuncs import sql_path
from certhub.hub.comparison.window import RunWindow

__all__ = [
    "ComparisonInputError",
    "FileNote",
    "decodes",
    "header_of",
    "load_feeds",
    "load_roster",
    "read_roster_csv",
]

_CHUNK = 1 << 20


class ComparisonInputError(ValueError):
    """An input the run cannot use at all (a roster without a needed column, no roster)."""


@dataclass(frozen=True)
class FileNote:
    """What was noticed about one input file as a whole (encoding, emptiness, …)."""

    source: str
    note: str


def decodes(path: Path, encoding: str) -> bool:
    """Whether the whole file decodes strictly as ``encoding`` (read a chunk at a time)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    with path.open("rb") as stream:
        try:
            while chunk := stream.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _utf8_head(path: Path) -> bool:
    """Whether the file's first chunk is UTF-8 (a GBK export fails on its first name)."""
    with path.open("rb") as stream:
        try:
            codecs.getincrementaldecoder("utf-8")(errors="strict").decode(stream.read(_CHUNK))
        except UnicodeDecodeError:
            return False
    return True


def _transcoded(path: Path, scratch: Path, notes: list[FileNote], source: str) -> Path | None:
    """A UTF-8 copy of ``path`` if the whole file is GB18030/GBK, else ``None`` (noted).

    Called only for a file whose first chunk is not UTF-8 or in which DuckDB
    found invalid UTF-8: a file that decodes as UTF-8 after all is read as it is.
    """
    if decodes(path, "utf-8"):
        return None
    # One pass that checks and transcodes (bytes in, bytes out): a check pass and then
    # a text-mode copy took 2.6x as long, 0.17 CPU s per 12 MB file.
    target = scratch / f"{source}.utf8.csv"
    decoder = codecs.getincrementaldecoder("gb18030")(errors="strict")
    try:
        with path.open("rb") as src, target.open("wb") as dst:
            while chunk := src.read(_CHUNK):
                dst.write(decoder.decode(chunk).encode())
            dst.write(decoder.decode(b"", final=True).encode())
    except UnicodeDecodeError:
        target.unlink()
        notes.append(FileNote(source, "neither UTF-8 nor GBK: undecodable lines refused"))
        return None
    notes.append(FileNote(source, "GBK-encoded: read as GB18030"))
    return target


def _misencoded(con: duckdb.DuckDBPyConnection, rejects: str) -> bool:
    """Whether DuckDB refused a line of the file as invalid UTF-8."""
    found = con.execute(
        f"SELECT count(*) FROM {rejects} WHERE error_type = 'INVALID ENCODING'"
    ).fetchone()
    return found is not None and found[0] > 0


def header_of(path: Path) -> list[str]:
    """The CSV file's column names (its first line, trimmed; a UTF-8 BOM dropped).

    Read as CSV, as DuckDB reads the rows: an export quoting every field names its
    columns ``"record_id","id_number",…``.
    """
    with path.open("r", encoding="utf-8", errors="replace", newline="") as stream:
        first = stream.readline().strip().lstrip("\ufeff")
    return [name.strip() for name in next(csv.reader([first]))] if first else []


def _csv_sql(
    path: Path | str, columns: tuple[str, ...], rejects: str, *, filename: bool = False
) -> str:
    """The CSV reader of ``path`` (a file, or an SQL list of them as text)."""
    spec = ", ".join(f"'{c}': 'VARCHAR'" for c in columns)
    files = path if isinstance(path, str) else sql_path(path)
    return (
        f"read_csv({files}, header = true, auto_detect = false, delim = ',',"
        f" quote = '\"', columns = {{{spec}}}, store_rejects = true,"
        f" rejects_table = '{rejects}', rejects_scan = '{rejects}_scan', parallel = true"
        + (", filename = true)" if filename else ")")
    )


def load_roster(
    con: duckdb.DuckDBPyConnection, folder: Path, scratch: Path, window: RunWindow
) -> list[FileNote]:
    """Table ``roster_checked`` and ``rejects_roster`` from DIR/roster.{parquet,csv}.

    Raises:
        ComparisonInputError: no roster, or its header lacks one of :data:`ROSTER_COLUMNS`.
    """
    notes: list[FileNote] = []
    parquet, csv = folder / "roster.parquet", folder / "roster.csv"
    read = "CREATE OR REPLACE TABLE roster_checked AS "
    if parquet.exists():
        names = [
            row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {sql_path(parquet)}").fetchall()
        ]
        _require(names, "roster.parquet")
        columns = ", ".join(f"CAST({c} AS VARCHAR) AS {c}" for c in ROSTER_COLUMNS)
        con.execute(
            read + checked_roster_sql(f"(SELECT {columns} FROM {sql_path(parquet)})", window)
        )
        con.execute(
            "CREATE OR REPLACE TABLE rejects_roster AS SELECT"
            " 0::BIGINT AS line, ''::VARCHAR AS error_type, ''::VARCHAR AS csv_line WHERE false"
        )
        return notes
    if not csv.exists():
        raise ComparisonInputError(f"no roster.parquet or roster.csv in {folder}")
    _require(header_of(csv), "roster.csv")
    return read_roster_csv(
        con, csv, scratch, lambda reader: read + checked_roster_sql(reader, window)
    )


def read_roster_csv(
    con: duckdb.DuckDBPyConnection,
    csv: Path,
    scratch: Path,
    statement: Callable[[str], str],
    columns: tuple[str, ...] = ROSTER_COLUMNS,
) -> list[FileNote]:
    """Run ``statement(reader)`` over the roster CSV's reader, then make ``rejects_roster``.

    A file in GBK (its first chunk, or a line DuckDB found invalid UTF-8 in) is
    read again from a UTF-8 copy and noted. ``columns`` are the file's, in order
    (the comparison's roster has :data:`ROSTER_COLUMNS`; an import's file more).
    """
    notes: list[FileNote] = []
    rejects = "rej_roster"
    head = _utf8_head(csv)
    readable = csv if head else (_transcoded(csv, scratch, notes, "roster") or csv)
    con.execute(statement(_csv_sql(readable, columns, rejects)))
    if head and _misencoded(con, rejects) and (utf8 := _transcoded(csv, scratch, notes, "roster")):
        rejects = "rej_roster_utf8"
        con.execute(statement(_csv_sql(utf8, columns, rejects)))
    con.execute(
        "CREATE OR REPLACE TABLE rejects_roster AS"
        " SELECT line, min(error_type) AS error_type, any_value(csv_line) AS csv_line"
        f" FROM {rejects} GROUP BY line"
    )
    return notes


def _require(header: list[str], name: str) -> None:
    missing = [c for c in ROSTER_COLUMNS if c not in header]
    if missing:
        raise ComparisonInputError(
            f"{name} has no column {', '.join(missing)}: the run is refused, nothing is recorded"
        )


def load_feeds(
    con: duckdb.DuckDBPyConnection, folder: Path, scratch: Path, window: RunWindow
) -> list[FileNote]:
    """Table ``feed_checked`` (one row per parsed line, with its department) and ``rejects_feed``.

    A file for an unknown department, an empty file, or a file whose header is
    not :data:`FEED_COLUMNS` is noted and skipped (never guessed at). Notes come
    in the order of the files, as each file was looked at.
    """
    noted: dict[str, list[FileNote]] = {}
    read: dict[str, Path] = {}
    settled: dict[str, bool] = {}  # its encoding checked already: no second look
    parquets: list[str] = []
    for path in sorted(folder.glob("*.csv")) + sorted(folder.glob("*.parquet")):
        source = path.stem
        notes = noted.setdefault(source, [])
        if source == "roster":
            continue
        if source not in DEPARTMENTS:
            notes.append(FileNote(source, "unknown department: file skipped"))
        elif path.suffix == ".parquet":
            cols = ", ".join(f"CAST({c} AS VARCHAR) AS {c}" for c in FEED_COLUMNS)
            rows = f"(SELECT '{source}' AS department, {cols} FROM {sql_path(path)})"
            parquets.append(checked_feed_sql(rows, window))
        elif found := _feed_file(path, scratch, notes):
            read[source], settled[source] = found
    empty = ", ".join(f"NULL::VARCHAR AS {c}" for c in ("department", *FEED_COLUMNS))
    con.execute(
        "CREATE OR REPLACE TABLE feed_checked AS "
        + checked_feed_sql(f"(SELECT {empty} WHERE false)", window)
    )
    parts = parquets + ([_feeds_sql(read, window)] if read else [])
    if parts:  # one statement: DuckDB reads the files in parallel into one table
        con.execute("INSERT INTO feed_checked BY NAME " + " UNION ALL BY NAME ".join(parts))
    rejected = {source: _rejects_of(path) for source, path in sorted(read.items())}
    for source, path in read.items():
        if settled[source] or not _misencoded(con, rejected[source]):
            continue
        if utf8 := _transcoded(path, scratch, noted[source], source):
            rejected[source] = f"rej_{source}_utf8"
            con.execute(f"DELETE FROM feed_checked WHERE department = '{source}'")
            again = _feed_sql(source, utf8, rejected[source], window)
            con.execute("INSERT INTO feed_checked BY NAME " + again)
    counted = dict(
        con.execute("SELECT department, count(*) FROM feed_checked GROUP BY ALL").fetchall()
    )
    for source in sorted(read.keys() - counted.keys()):
        noted[source].append(FileNote(source, "empty feed: no records"))
    # DuckDB keeps one reject per missing column: one refused row is one line
    rejects = [
        f"SELECT '{source}' AS source, line, min(error_type) AS error_type,"
        f" any_value(csv_line) AS csv_line FROM {table} GROUP BY line"
        for source, table in rejected.items()
    ]
    con.execute(
        "CREATE OR REPLACE TABLE rejects_feed AS "
        + (
            " UNION ALL ".join(rejects)
            if rejects
            else "SELECT ''::VARCHAR AS source, 0::BIGINT AS line, ''::VARCHAR AS error_type,"
            " ''::VARCHAR AS csv_line WHERE false"
        )
    )
    return [note for notes in noted.values() for note in notes]


def _feed_file(path: Path, scratch: Path, notes: list[FileNote]) -> tuple[Path, bool] | None:
    """Where to read a department's CSV from, and whether its encoding is settled (None: refused).

    A file whose first chunk is not UTF-8 is checked whole at once: DuckDB would
    refuse every line with a name in it, and keep each as a reject.
    """
    if path.stat().st_size == 0:
        notes.append(FileNote(path.stem, "empty file (no header): nothing to compare"))
        return None
    if tuple(header_of(path)) != FEED_COLUMNS:
        notes.append(FileNote(path.stem, "header is not the feed's columns: file refused"))
        return None
    if _utf8_head(path):
        return path, False
    return _transcoded(path, scratch, notes, path.stem) or path, True


def _feed_sql(source: str, path: Path, rejects: str, window: RunWindow) -> str:
    rows = f"(SELECT '{source}' AS department, * FROM {_csv_sql(path, FEED_COLUMNS, rejects)})"
    return checked_feed_sql(rows, window)


_FEED_REJECTS = "rej_feeds"


def _feeds_sql(read: dict[str, Path], window: RunWindow) -> str:
    """Every department's CSV by one reader (its files in order, each row with its file's
    department): a reader per file and a union of them cost 1.2x as much CPU."""
    files = "[" + ", ".join(sql_path(path) for path in read.values()) + "]"
    department = " ".join(f"WHEN {sql_path(path)} THEN '{s}'" for s, path in read.items())
    csv = _csv_sql(files, FEED_COLUMNS, _FEED_REJECTS, filename=True)
    rows = f"(SELECT CASE filename {department} END AS department, * EXCLUDE (filename) FROM {csv})"
    return checked_feed_sql(rows, window)


def _rejects_of(path: Path) -> str:
    """The lines the one reader of the feeds refused in ``path`` (a table's rows)."""
    return (
        f"(SELECT e.* FROM {_FEED_REJECTS} e JOIN {_FEED_REJECTS}_scan s USING (scan_id, file_id)"
        f" WHERE s.file_path = {sql_path(path)})"
    )
