"""``certhub compare generate``: a synthetic roster and feeds whose truth is known.

Everything is set-based DuckDB SQL over ``range(N)``; every random choice is
``hash(i, seed, salt)``, so the same seed gives the same files. The planted
facts (who died and which departments said so, who was seen alive, which rows
are dirty) are written to ``truth/`` and the outcomes a correct run must reach
to ``truth/expected.json``, computed from the plan, not by the engine.

Geography: the 21 cities are weighted by an *illustrative* share of the
scheme's pensioners (more in the rural east and west — Zhanjiang, Maoming,
Jieyang — few in Shenzhen; not official figures); counties are uniform within a
city. Ages are uniform from 60 to 100 on the period's first day. ID numbers:
area = county, birth date, a sequence making each unique (up to 14.6 million
people), and the MOD 11-2 check character computed by the same SQL the
engine validates with (tests check every generated number with
:func:`schemas.validate_resident_id`).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Final

import duckdb

from certhub.hub.comparison.engine import parse_period
from certhub.hub.comparison.generate_sql import feed_sql, truth_sql
from certhub.hub.comparison.sqlfuncs import install_macros, sql_path

__all__ = ["CITY_WEIGHTS", "MAX_PENSIONERS", "GeneratedSet", "generate"]

MAX_PENSIONERS: Final = 12_000_000  # unique IDs for roster + non-pensioners up to 14.6M

CITY_WEIGHTS: Final = {
    "4401": 6, "4402": 4, "4403": 1, "4404": 1, "4405": 6, "4406": 4, "4407": 5,
    "4408": 11, "4409": 10, "4412": 5, "4413": 4, "4414": 6, "4415": 4, "4416": 4,
    "4417": 4, "4418": 5, "4419": 2, "4420": 2, "4451": 4, "4452": 8, "4453": 4,
}  # fmt: skip
"""Illustrative share (percent) of the scheme's pensioners per city."""

SURNAMES: Final = "陈李黄张梁林刘吴罗杨郑何谢王周钟邓曾冯蔡许彭苏潘卢叶朱余温赖"
GIVEN: Final = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉珍金凤德福贵荣"
RARE: Final = ("𠮷", "䶮", "龑", "堃", "喆", "淼", "犇", "昇")
MINORITY: Final = ("买买提·艾力", "阿依古丽·吐尔逊", "热合曼·努尔", "帕提古丽·伊力")


@dataclass(frozen=True)
class GeneratedSet:
    """Where the files are and how many rows each has."""

    folder: Path
    pensioners: int
    feed_rows: dict[str, int]


def _counties() -> list[tuple[str, str]]:
    data = resources.files("certhub.schemas").joinpath("data/guangdong_counties.csv")
    text = data.read_text("utf-8")
    rows = list(csv.reader(line for line in text.splitlines() if not line.startswith("#")))
    by_city: dict[str, list[str]] = {}
    for code, _name, city_code, _city in rows[1:]:
        by_city.setdefault(city_code[:4], []).append(code)
    out = []
    for city, codes in by_city.items():
        counties = [c for c in codes if not c.endswith("00")] or codes
        out += [(city, c) for c in counties]
    return out


def _slots(con: duckdb.DuckDBPyConnection) -> int:
    """Table ``slots(slot, county)``: a county per slot, in proportion to its weight."""
    counties = _counties()
    per_city: dict[str, int] = {}
    for city, _ in counties:
        per_city[city] = per_city.get(city, 0) + 1
    rows: list[tuple[int, str]] = []
    for city, county in counties:
        for _ in range(max(1, round(CITY_WEIGHTS[city] * 100 / per_city[city]))):
            rows.append((len(rows), county))
    con.execute("CREATE TABLE slots (slot INTEGER, county VARCHAR)")
    con.executemany("INSERT INTO slots VALUES (?, ?)", rows)
    return len(rows)


def _lists(con: duckdb.DuckDBPyConnection) -> None:
    def literal(items: tuple[str, ...] | str) -> str:
        return "[" + ", ".join(f"'{c}'" for c in items) + "]"

    for name, items in (
        ("surname", SURNAMES),
        ("given", GIVEN),
        ("rare", RARE),
        ("minority", MINORITY),
    ):
        pick = f"{literal(items)}[1 + CAST(h % {len(items)} AS INTEGER)]"
        con.execute(f"CREATE MACRO {name}(h) AS {pick}")


def generate(out: Path, pensioners: int, *, period: str, seed: int = 1) -> GeneratedSet:
    """Write roster (CSV + Parquet), one CSV per department and ``truth/`` into ``out``.

    Raises:
        ValueError: ``pensioners`` outside 1..MAX_PENSIONERS or a malformed period.
    """
    if not 1 <= pensioners <= MAX_PENSIONERS:
        raise ValueError(f"--pensioners must be from 1 to {MAX_PENSIONERS}")
    start, end = parse_period(period)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(config={"memory_limit": "2GB"})
    try:
        con.execute("SET enable_progress_bar = false")
        install_macros(con)
        nslots = _slots(con)
        _lists(con)
        con.execute(_people_sql(pensioners, seed, nslots, start))
        con.execute(_roster_sql())
        for statement in feed_sql(seed, start, end):
            con.execute(statement)
        _copy(con, out)
        for statement in truth_sql(out / "truth"):
            con.execute(statement)
        counts = dict(con.execute("SELECT department, count(*) FROM feed GROUP BY 1").fetchall())
    finally:
        con.close()
    _dirty_files(out)
    return GeneratedSet(out, pensioners, counts)


def _people_sql(n: int, seed: int, nslots: int, start: date) -> str:
    """Everyone: pensioners (i < n) and some people not on the roster (n ≤ i)."""
    outsiders = max(10, n // 5)
    return f"""CREATE TABLE people AS
    WITH base AS (
        SELECT i, i < {n} AS on_roster,
               CAST(DATE '{start}' - INTERVAL 60 YEAR - INTERVAL ((i * 7919) % 14610) DAY AS DATE)
                   AS birth_date,
               lpad(CAST((i // 14610) % 1000 AS VARCHAR), 3, '0') AS seq,
               hash(i, {seed}, 'geo') % {nslots} AS slot,
               CAST(hash(i, {seed}, 'name') >> 2 AS BIGINT) AS hn,
               hash(i, {seed}, 'fate') % 100000 AS fate_u,
               CAST(hash(i, {seed}, 'town') >> 2 AS BIGINT) AS ht
        FROM range({n + outsiders}) t(i))
    SELECT b.*, s.county, substr(s.county, 1, 4) AS city,
           s.county || lpad(CAST(1 + ht % 20 AS VARCHAR), 3, '0')
               || lpad(CAST(1 + (ht // 20) % 30 AS VARCHAR), 3, '0') AS village,
           s.county || strftime(birth_date, '%Y%m%d') || seq AS id17,
           CASE WHEN hn % 1000 < 3 THEN surname(hn // 7) || minority(hn // 11)
                WHEN hn % 1000 < 8 THEN surname(hn // 7) || given(hn // 13) || rare(hn // 17)
                WHEN hn % 3 = 0 THEN surname(hn // 7) || given(hn // 13)
                ELSE surname(hn // 7) || given(hn // 13) || given(hn // 19) END AS name
    FROM base b JOIN slots s USING (slot)"""


def _roster_sql() -> str:
    return """CREATE TABLE people_id AS
    SELECT * EXCLUDE (n17), id17 || id_check_n(n17) AS id_number
    FROM (SELECT *, CAST(id17 AS BIGINT) AS n17 FROM people)"""


def _copy(con: duckdb.DuckDBPyConnection, out: Path) -> None:
    roster = "SELECT id_number, name, county, village FROM people_id WHERE on_roster"
    con.execute(f"COPY ({roster}) TO {sql_path(out / 'roster.csv')} (FORMAT CSV, HEADER)")
    con.execute(f"COPY ({roster}) TO {sql_path(out / 'roster.parquet')} (FORMAT PARQUET)")
    columns = "record_id, id_number, name, birth_date, county, kind, event_date, voids_record_id"
    for (department,) in con.execute("SELECT DISTINCT department FROM feed").fetchall():
        query = f"SELECT {columns} FROM feed WHERE department = '{department}'"
        con.execute(f"COPY ({query}) TO {sql_path(out / f'{department}.csv')} (FORMAT CSV, HEADER)")


def _dirty_files(out: Path) -> None:
    """What SQL cannot plant: truncated lines, and one feed in GBK (as departments send)."""
    with (out / "grid_service.csv").open("a", encoding="utf-8") as stream:
        stream.write("GSCUT1,440103194001010012,陈\n")  # cut mid-record (no check char valid)
        stream.write("GSCUT2\n")
    canteen = out / "canteen.csv"
    text = canteen.read_text(encoding="utf-8")
    canteen.write_bytes(text.encode("gb18030"))
