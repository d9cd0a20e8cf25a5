"""Area codes and the one filter: parse, contain, admit one record, and the SQL condition."""

from __future__ import annotations

import sqlite3

import pytest

from certhub.security import AreaScope, area_condition, in_area, parse_area


@pytest.mark.parametrize(
    ("code", "prefix"),
    [
        ("445300", "4453"),  # 云浮市: a city with counties
        ("440100", "4401"),  # 广州市
        ("445302", "445302"),  # 云城区: a county
        ("441900", "441900"),  # 东莞市: a city without counties is its own county
        ("442000", "442000"),  # 中山市
        ("445302001", "445302001"),  # a town
        ("445302001201", "445302001201"),  # a village
    ],
)
def test_an_area_code_stands_for_its_prefix(code: str, prefix: str) -> None:
    assert parse_area(code) == AreaScope(code, prefix)


@pytest.mark.parametrize(
    "code",
    ["", "44", "4453", "4453000", "44530200101", "4453020012011", "445399", "110101",
     "999999001", "４４５３０２", "44530２", " 445302", 445302, None],
)  # fmt: skip
def test_anything_else_is_not_an_area(code: object) -> None:
    with pytest.raises(ValueError, match=r"region code|county|city"):
        parse_area(code)


def test_containment_follows_the_prefixes() -> None:
    city, county, town, village = map(parse_area, ["445300", "445302", "445302001", "445302001201"])
    assert city.contains(county)
    assert county.contains(town)
    assert town.contains(village)
    assert village.contains(village)
    assert not village.contains(town)
    assert not county.contains(city)
    assert not parse_area("445302002").contains(village)
    assert not parse_area("441900").contains(county)


@pytest.mark.parametrize(
    ("area", "county", "village", "expected"),
    [
        (None, None, None, True),  # province-wide: everything, even a record with no region
        ("445302", "445302", None, True),
        ("445302", "445302", "445302001201", True),
        ("445302", "445303", "445303001201", False),
        ("445300", "445381", "445381100200", True),
        ("445302001201", "445302", None, False),  # a village never sees a county-level record
        ("445302001201", "445302", "445302001202", False),
        ("445302001", "445302", "445302001999", True),
        ("445302001", "445302", "445302010001", False),
        ("445302", None, None, False),  # no region: only province-wide readers
    ],
)
def test_one_record_and_the_sql_condition_agree(
    area: str | None, county: str | None, village: str | None, expected: bool
) -> None:
    scope = None if area is None else parse_area(area)
    assert in_area(scope, county, village) is expected
    where, params = area_condition(scope, county="c", village="v")
    with sqlite3.connect(":memory:") as db:
        sql = f"SELECT {where} FROM (SELECT ? AS c, ? AS v)"  # noqa: S608 - the hub's own text
        row = db.execute(sql, (*params, county, village))
        (value,) = row.fetchone()
    # SQLite evaluates the parameters in order: the condition's first, then the row's.
    assert bool(value) is expected
