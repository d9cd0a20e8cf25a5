"""The provincial roster in bulk: a CSV (UTF-8 or GBK) or Parquet file, checked in DuckDB.

Nothing loops over rows in Python but the hand-over to the ledger: DuckDB
parses the file (a line it cannot split is refused with its line number),
checks every row against the canonical ``benefit_record/v1`` in SQL (the
ID-number rule is the comparison's macro, :func:`certhub.hub.comparison.sqlfuncs.install_macros`),
keeps the first row of an ID number that appears twice, builds each accepted
row's roster entry (compact: its fields, not its JSON), and writes the month's
snapshot (all accepted rows, in ID-number order) as Parquet so a comparison
can be re-run on the same data.
The accepted rows then go out in batches of bounded size, each a range of
ID numbers whose bounds are known first (so people the ledger already holds
are left out before their rows are built).

Every refused row is counted by the first rule it breaks, with a few masked
samples (:func:`certhub.schemas.mask_resident_id`): an ID number is never
printed whole.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Final

import duckdb

from certhub.hub.comparison.loading import decodes
from certhub.hub.comparison.sqlfuncs import install_macros, sql_path
from certhub.hub.store.roster_compact import COMPACT_SQL
from certhub.schemas import mask_resident_id
from certhub.schemas.regions import GUANGDONG_COUNTIES

__all__ = [
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "RefusedRows",
    "RosterFile",
    "RosterFileError",
]

REQUIRED_COLUMNS: Final = (
    "id_number",
    "name",
    "county",
    "status",
    "monthly_amount",
    "paid_through",
    "bank_account_on_file",
)
OPTIONAL_COLUMNS: Final = ("village", "suspended_since", "contact_mobile")
COLUMNS: Final = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
SAMPLES: Final = 3
_CHUNK: Final = 1 << 20

# The first rule a row breaks names its refusal; the order is the schema's.
_RULES: Final = (
    ("id_number", "NOT id_valid_n(id_number, n17, DATE '{today}')"),
    (
        "name",
        "name IS NULL OR length(name) > 100 OR regexp_full_match(name, '[\\s\\p{{Z}}]*')"
        " OR regexp_matches(name, '[\\p{{Cc}}\\p{{Cf}}\\p{{Zl}}\\p{{Zp}}]')",
    ),
    ("county", "county IS NULL OR county NOT IN (SELECT code FROM counties)"),
    (
        "village",
        "village IS NOT NULL AND NOT (regexp_full_match(village, '44[0-9]{{10}}')"
        " AND starts_with(village, county))",
    ),
    ("status", "status IS NULL OR status NOT IN ('active', 'suspended', 'terminated')"),
    (
        "suspended_since",
        "(status = 'suspended') <> (suspended_since IS NOT NULL) OR (suspended_since IS NOT NULL"
        " AND (NOT regexp_full_match(suspended_since, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}')"
        " OR try_cast(suspended_since AS DATE) IS NULL))",
    ),
    (
        "monthly_amount",
        "monthly_amount IS NULL OR NOT regexp_full_match(monthly_amount,"
        " '[0-9]{{1,12}}(\\.[0-9]{{1,2}})?')",
    ),
    (
        "paid_through",
        "paid_through IS NULL OR NOT regexp_full_match(paid_through, '[0-9]{{4}}-(0[1-9]|1[0-2])')",
    ),
    (
        "bank_account_on_file",
        "bank_account_on_file IS NULL"
        " OR NOT regexp_full_match(bank_account_on_file, '[0-9*]{{0,28}}[0-9]{{4}}')",
    ),
    (
        "contact_mobile",
        "contact_mobile IS NOT NULL AND NOT regexp_full_match(contact_mobile, '1[3-9][0-9]{{9}}')",
    ),
)

# A batch's row: the roster's entry in its compact form (certhub.hub.store.roster_compact:
# its fields, not its JSON), then the register's columns.
_ROW: Final = (
    f"id_number, '{{as_of}}', {COMPACT_SQL}, coalesce(village, county), name, status,"
    " suspended_since"
)


Batch = list[tuple[object, ...]]


class RosterFileError(ValueError):
    """A file the import cannot use at all (unreadable, a required column missing)."""


@dataclass
class RefusedRows:
    """Rows refused for one reason: how many, and a few masked samples."""

    count: int = 0
    samples: list[str] = field(default_factory=list)


@dataclass
class RosterFile:
    """One roster file loaded and checked in an in-memory DuckDB.

    Use :meth:`load`, then :meth:`write_snapshot` and :meth:`batches`; :meth:`close` at the end.
    """

    path: Path
    scratch: Path
    as_of: str  # ISO date-time with offset: every row's as_of
    today: date
    rows: int = 0  # data rows read (refused lines included)
    accepted: int = 0
    refused: dict[str, RefusedRows] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    memory_limit: str = "1GB"
    con: duckdb.DuckDBPyConnection = field(init=False)
    # The ledger builds the next batch while it writes this one: one query at a time.
    _building: threading.Lock = field(init=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        # DuckDB's default limit is 80% of the machine's memory and an in-memory database
        # has nowhere to spill: a 10M-row roster held 5.5 GB. Bounded, it spills to scratch.
        self.con = duckdb.connect(
            config={
                "memory_limit": self.memory_limit,
                "temp_directory": str(self.scratch / "spill"),
            }
        )

    def load(self, on_step: Callable[[str, int, int], None] | None = None) -> None:
        """Read, check and de-duplicate the file into table ``accepted``.

        ``on_step(name, done, steps)`` hears of each step finished (a progress bar).

        Raises:
            RosterFileError: the file cannot be read, or lacks a required column.
        """
        step = on_step or (lambda _name, _done, _steps: None)
        install_macros(self.con)
        counties = [(code,) for code in GUANGDONG_COUNTIES]
        self.con.execute("CREATE TABLE counties (code VARCHAR PRIMARY KEY)")
        self.con.executemany("INSERT INTO counties VALUES (?)", counties)
        source = self._source()
        trimmed = ", ".join(_read_column(c) for c in COLUMNS)
        problem = " ".join(
            f"WHEN {rule.format(today=self.today.isoformat())} THEN '{name}'"
            for name, rule in _RULES
        )
        # One pass reads and checks; no window function anywhere, so every step
        # runs on all of DuckDB's threads (row_number() OVER () ran on one). A
        # table keeps the file's order, so its rowid is the row's place in the file.
        self.con.execute(
            f"CREATE TABLE checked AS SELECT * EXCLUDE (n17), CASE {problem} END AS problem"
            f" FROM (SELECT *, id17_number(id_number) AS n17 FROM (SELECT {trimmed} FROM {source}))"
        )
        step("checked", 1, 4)
        # An ID number seen twice is rare: the first row of each such number, by a
        # parallel hash aggregate instead of a window over every row.
        self.con.execute(
            "CREATE TABLE firsts AS SELECT id_number, min(rowid) AS row FROM checked"
            " WHERE problem IS NULL GROUP BY id_number HAVING count(*) > 1"
        )
        step("duplicates found", 2, 4)
        self.con.execute(
            "CREATE TABLE accepted AS SELECT * EXCLUDE (problem) FROM checked AS c"
            " WHERE problem IS NULL AND NOT EXISTS (SELECT 1 FROM firsts AS f"
            " WHERE f.id_number = c.id_number AND f.row < c.rowid) ORDER BY id_number"
        )
        step("sorted", 3, 4)
        self._count()
        step("counted", 4, 4)

    def _source(self) -> str:
        """The file as a DuckDB table expression with every column of :data:`COLUMNS`."""
        if self.path.suffix.lower() == ".parquet":
            try:
                names = [
                    r[0]
                    for r in self.con.execute(
                        f"DESCRIBE SELECT * FROM read_parquet({sql_path(self.path)})"
                    ).fetchall()
                ]
            except duckdb.Error as exc:
                raise RosterFileError(f"{self.path.name}: not a readable Parquet file") from exc
            self._require(names)
            have = ", ".join(c if c in names else f"NULL AS {c}" for c in COLUMNS)
            return f"(SELECT {have} FROM read_parquet({sql_path(self.path)}))"
        readable = self._as_utf8()
        header = _header(readable)
        self._require(header)
        spec = ", ".join(f"'{c}': 'VARCHAR'" for c in header)
        have = ", ".join(c if c in header else f"NULL AS {c}" for c in COLUMNS)
        return (
            f"(SELECT {have} FROM read_csv({sql_path(readable)}, header = true,"
            f" auto_detect = false, delim = ',', quote = '\"', columns = {{{spec}}},"
            " store_rejects = true, rejects_table = 'rejects', rejects_scan = 'rejects_scan'))"
        )

    def _require(self, header: list[str]) -> None:
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise RosterFileError(
                f"{self.path.name} has no column {', '.join(missing)}: nothing was imported"
            )

    def _as_utf8(self) -> Path:
        """The file itself if it is UTF-8, else a UTF-8 copy read as GB18030 (a superset of GBK)."""
        if decodes(self.path, "utf-8"):
            return self.path
        if not decodes(self.path, "gb18030"):
            raise RosterFileError(f"{self.path.name} is neither UTF-8 nor GBK text")
        target = self.scratch / "roster.utf8.csv"
        with (
            self.path.open("r", encoding="gb18030", newline="") as src,
            target.open("w", encoding="utf-8", newline="") as dst,
        ):
            while text := src.read(_CHUNK):
                dst.write(text)
        self.notes.append("GBK-encoded: read as GB18030")
        return target

    def _count(self) -> None:
        con = self.con
        (parsed,) = con.execute("SELECT count(*) FROM checked").fetchone() or (0,)
        (self.accepted,) = con.execute("SELECT count(*) FROM accepted").fetchone() or (0,)
        by_rule = con.execute(
            "SELECT problem, count(*), list(id_number ORDER BY rowid)[1:3] FROM checked"
            " WHERE problem IS NOT NULL GROUP BY problem"
        ).fetchall()
        for rule, count, ids in by_rule:
            self.refused[rule] = RefusedRows(count, [_masked(i) for i in ids])
        duplicates = con.execute(
            "SELECT count(*), list(c.id_number ORDER BY c.rowid)[1:3] FROM checked AS c"
            " JOIN firsts AS f ON f.id_number = c.id_number"
            " WHERE c.problem IS NULL AND c.rowid > f.row"
        ).fetchone()
        if duplicates and duplicates[0]:
            self.refused["duplicate"] = RefusedRows(
                duplicates[0], [_masked(i) for i in duplicates[1]]
            )
        rejected = self._rejected_lines()
        if rejected[0]:
            self.refused["unreadable_line"] = RefusedRows(rejected[0], rejected[1])
        self.rows = int(parsed) + rejected[0]

    def _rejected_lines(self) -> tuple[int, list[str]]:
        tables = {r[0] for r in self.con.execute("SHOW TABLES").fetchall()}
        if "rejects" not in tables:
            return 0, []
        rows = self.con.execute(
            "SELECT count(DISTINCT line), list(DISTINCT line ORDER BY line)[1:3] FROM rejects"
        ).fetchone()
        if not rows or not rows[0]:
            return 0, []
        return int(rows[0]), [f"line {line}" for line in rows[1]]

    def write_snapshot(self) -> bytes:
        """The accepted rows as Parquet bytes (ID-number order): the month's snapshot."""
        target = self.scratch / "snapshot.parquet"
        self.con.execute(
            "COPY (SELECT * FROM accepted)"  # stored in ID-number order
            f" TO {sql_path(target)} (FORMAT parquet, COMPRESSION zstd)"
        )
        return target.read_bytes()

    def close(self) -> None:
        """Release the in-memory database."""
        self.con.close()

    def bounds(self, size: int) -> list[tuple[str, str]]:
        """The first and last ID number of each batch of ``size`` accepted rows, in order.

        ``accepted`` is stored in ID-number order, so batch ``i`` is the rows
        ``i * size`` … ``(i + 1) * size - 1`` (by ``rowid``) and these bounds are
        disjoint ranges: the ledger can say which of a batch's people are current
        before the batch's rows are built at all.
        """
        rows = self.con.execute(
            f"SELECT min(id_number), max(id_number) FROM accepted GROUP BY rowid // {int(size)}"
            f" ORDER BY rowid // {int(size)}"
        ).fetchall()
        return [(str(first), str(last)) for first, last in rows]

    def batch(self, index: int, size: int, skip: Collection[str] = ()) -> Batch:
        """Batch ``index`` of :meth:`bounds` without the people in ``skip``, in ID-number order.

        Each row: (person id, as_of, compact entry bytes, area, name, status, suspended
        since); the entry is :mod:`certhub.hub.store.roster_compact`'s. When every person
        of the batch is in ``skip`` (a re-import), only the ID numbers are read: no row is
        built.
        """
        with self._building:
            return self._batch(int(index) * int(size), int(size), skip)

    def _batch(self, first: int, size: int, skip: Collection[str]) -> Batch:
        where = f" FROM accepted WHERE rowid >= {first} AND rowid < {first + size}"
        # The scan keeps the table's order (ID numbers; DuckDB preserves insertion order)
        # and reads only the row groups of that rowid range.
        if skip:
            ids = self.con.execute(f"SELECT id_number{where}").fetchall()
            if all(i in skip for (i,) in ids):
                return []
        rows = self.con.execute(f"SELECT {_ROW.format(as_of=self.as_of)}{where}").fetchall()
        return [row for row in rows if row[0] not in skip] if skip else rows


def _header(path: Path) -> list[str]:
    with path.open("r", encoding="utf-8", errors="replace", newline="") as stream:
        first = stream.readline().strip().lstrip("\ufeff")
    return [name.strip() for name in first.split(",")] if first else []


def _masked(value: object) -> str:
    return mask_resident_id(str(value)) if value is not None else "(none)"


def _read_column(column: str) -> str:
    """The SQL reading ``column`` of a roster row: trimmed and empty as NULL; a name as
    written; an ID number upper-cased (a lower-case check character ``x`` is the same
    number, as the comparison and the API read it)."""
    if column == "name":
        return f"nullif(CAST({column} AS VARCHAR), '') AS {column}"
    value = f"trim(CAST({column} AS VARCHAR))"
    if column == "id_number":
        value = f"upper({value})"
    return f"nullif({value}, '') AS {column}"
