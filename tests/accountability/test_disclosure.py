"""Public disclosure: small cells never published, withheld ones never recomputable — across
counties, cities, the province and the methods of certification — and the public endpoints.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from procedurekit import Office
from suppressionkit import given_away

from certhub.hub.accountability.disclosure import METHODS, SIMPLE_MEASURES, disclose
from certhub.schemas.clock import CHINA_STANDARD_TIME

T = 5
COUNTIES = ("440103", "440104", "440105", "445302", "445303", "441900")  # 广州 ×3, 云浮 ×2, 东莞


def cells(rows: list[dict[str, Any]]) -> dict[tuple[str, str, str], int | None]:
    """(level, code, measure) → published value (None when withheld)."""
    out: dict[tuple[str, str, str], int | None] = {}
    for row in rows:
        key = (row["level"], row["code"])
        out[(*key, "certified")] = row["certified"]
        for method, value in row["certified_by_method"].items():
            out[(*key, f"certified:{method}")] = value
        for measure in SIMPLE_MEASURES:
            out[(*key, measure)] = row[measure]
    return out


def sums(rows: list[dict[str, Any]]) -> list[tuple[Any, list[Any]]]:
    """Every sum a reader knows the table obeys, written from the rows themselves."""
    counties = [r for r in rows if r["level"] == "county"]
    cities = sorted({r["code"] for r in rows if r["level"] == "city"})
    city_of = {
        r["code"]: ("441900" if r["code"] == "441900" else r["code"][:4] + "00") for r in counties
    }
    measures = ["certified", *(f"certified:{m}" for m in METHODS), *SIMPLE_MEASURES]
    out: list[tuple[Any, list[Any]]] = []
    for row in rows:
        key = (row["level"], row["code"])
        out.append(((*key, "certified"), [(*key, f"certified:{m}") for m in METHODS]))
    for measure in measures:
        for city in cities:
            parts = [("county", c, measure) for c, of in city_of.items() if of == city]
            out.append((("city", city, measure), parts))
        out.append((("province", "440000", measure), [("city", c, measure) for c in cities]))
    return out


def truth(counts: dict[tuple[str, str], int], rows: list[dict[str, Any]]) -> dict[Any, int]:
    """The true values of every cell, from the counts (to check published ones are exact)."""
    real: dict[Any, int] = {}
    for row in rows:
        if row["level"] != "county":
            continue
        code = row["code"]
        for method in METHODS:
            real[("county", code, f"certified:{method}")] = counts.get(
                (code, f"certified:{method}"), 0
            )
        real[("county", code, "certified")] = sum(
            real[("county", code, f"certified:{m}")] for m in METHODS
        )
        for measure in SIMPLE_MEASURES:
            real[("county", code, measure)] = counts.get((code, measure), 0)
    for total, parts in reversed(sums(rows)):  # counties' sums first come last in the list
        if total[0] != "county" and all(p in real for p in parts):
            real[total] = sum(real[p] for p in parts)
    for total, parts in sums(rows):
        if total not in real and all(p in real for p in parts):
            real[total] = sum(real[p] for p in parts)
    return real


small = st.one_of(st.integers(0, 6), st.integers(0, 30))
counts_strategy = st.dictionaries(
    st.tuples(
        st.sampled_from(COUNTIES),
        st.sampled_from(["certified:face", "certified:data_comparison", "certified:counter",
                         "suspensions", "terminations", "recoveries"]),
    ),
    small,
    max_size=20,
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(counts_strategy)
def test_no_small_figure_and_no_recomputable_one_in_any_publication(
    counts: dict[tuple[str, str], int],
) -> None:
    rows = disclose(counts, COUNTIES, T)
    published = cells(rows)
    real = truth(counts, rows)
    for cell, value in published.items():
        if value is not None:
            assert value == real[cell], cell
            assert not 0 < value < T, cell
    hidden = [cell for cell, value in published.items() if value is None]
    # a withheld zero that the sums give back tells nothing about anybody
    assert {cell for cell in given_away(hidden, sums(rows)) if real[cell]} == set()
    for row in rows:  # money and ratios only beside the counts they come from
        if row["recoveries"] is None:
            assert row["recovered_amount"] is None
        if row["certified"] is None or row["certified_by_method"]["data_comparison"] is None:
            assert row["mianban_share"] is None


def last_month() -> str:
    today = datetime.now(CHINA_STANDARD_TIME).date()
    index = today.year * 12 + today.month - 2
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


async def test_the_public_endpoints_publish_a_finished_month_only(office: Office) -> None:
    period = last_month()
    day = date(int(period[:4]), int(period[5:]), 10)
    when = datetime(day.year, day.month, day.day, 12, tzinfo=CHINA_STANDARD_TIME).isoformat()
    for county, n in (("440103", 7), ("440104", 2)):
        for _ in range(n):
            person = office.people.person() | {
                "region": {"county": county, "village": f"{county}001201"}
            }
            await office.roster(person)
            await office.certified_in_app(person, when, app="app_gdrs")

    response = await office.client.get("/v1/public/disclosure", params={"period": period})
    assert response.status == 200
    body = await response.json()
    rows = {(r["level"], r["code"]): r for r in body["rows"]}
    assert body["threshold"] == T
    assert rows[("county", "440104")]["certified"] is None  # 2 people
    assert rows[("county", "440103")]["certified_by_method"]["face"] is None  # would give 2 back
    assert rows[("city", "440100")]["certified"] == 9
    assert rows[("province", "440000")]["certified"] == 9
    assert rows[("county", "445302")]["certified"] == 0
    assert {p["department"] for p in body["programme"]} >= {"civil_affairs", "justice"}
    published = cells(body["rows"])
    assert not [c for c, v in published.items() if v is not None and 0 < v < T]

    csv_response = await office.client.get(
        "/v1/public/disclosure", params={"period": period, "format": "csv"}
    )
    text = (await csv_response.read()).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("level,code,name,certified,")
    page = await office.client.get("/public/disclosure", params={"period": period})
    assert page.status == 200
    assert "<script" not in await page.text()
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]

    this_month = datetime.now(UTC).astimezone(CHINA_STANDARD_TIME).strftime("%Y-%m")
    for params in (
        {"period": this_month},
        {"period": "2026-13"},
        {"period": period, "format": "x"},
    ):
        response = await office.client.get("/v1/public/disclosure", params=params)
        assert response.status == 400, params
