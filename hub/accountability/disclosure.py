"""Public disclosure (信息披露): a month's aggregated figures by county, city and province.

Counts only, with small cells withheld (:mod:`certhub.hub.accountability.suppression`):
each measure is a table whose county cells add up to their city and the
cities to the province; certifications are a two-way table (county × method,
with totals both ways), so a withheld method cannot be recomputed from the
county's total either. A money figure (the sum recovered) and a ratio (the
免办 share, the comparison's error rate) are published only where every count
they come from is. Like Centrelink's published data-matching programmes, the
comparison programme itself is described: which departments' data is matched,
for what, and how often its tasks turned out wrong.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any, Final

from certhub.hub.accountability.suppression import Cell, Group, withheld
from certhub.hub.comparison.catalogue import DEPARTMENTS
from certhub.schemas import CertificationMethod, city_code_of, city_name, county_name

PROVINCE: Final = "440000"
METHODS: Final = tuple(m.value for m in CertificationMethod)
SIMPLE_MEASURES: Final = (
    "suspensions",
    "terminations",
    "restorations",
    "recoveries",
    "comparison_tasks_opened",
    "comparison_tasks_cleared",
)
ROW_FIELDS: Final = (
    "level",
    "code",
    "name",
    "certified",
    "certified_by_method",
    "mianban_share",
    "suspensions",
    "terminations",
    "restorations",
    "recoveries",
    "recovered_amount",
    "comparison_tasks_opened",
    "comparison_tasks_cleared",
    "comparison_error_rate",
)
"""The fields of one published row, in order (the JSON, the CSV's columns and OpenAPI)."""
NOTE: Final = (
    "null: fewer than {threshold}, or withheld so that a smaller figure cannot be recomputed"
    " from the others"
)


def programme() -> list[dict[str, Any]]:
    """The comparison programme: each department matched, its grade and what it tells."""
    return [
        {"department": d.name, "grade": d.grade, "kinds": sorted(d.kinds)}
        for d in DEPARTMENTS.values()
    ]


def disclose(
    counts: Mapping[tuple[str, str], int], counties: Iterable[str], threshold: int
) -> list[dict[str, Any]]:
    """The public rows (province, then each city, then each county) for one month.

    ``counts`` is (county, measure) → count as :meth:`disclosure_counts` gives it;
    counties absent from it are published with zeros.
    """
    cities: dict[str, list[str]] = defaultdict(list)
    for county in sorted(set(counties)):
        cities[city_code_of(county)].append(county)
    published: dict[tuple[str, str, str], int | None] = {}
    for measure in SIMPLE_MEASURES:
        values, groups = _tree(cities, lambda county, m=measure: counts.get((county, m), 0))
        hidden = withheld(values, groups, threshold)
        for (level, code), value in values.items():
            published[(level, code, measure)] = None if (level, code) in hidden else value
    published.update(_certifications(cities, counts, threshold))
    cents = _cents(cities, counts)
    rows = [_row("province", PROVINCE, published, cents)]
    for city, members in sorted(cities.items()):
        rows.append(_row("city", city, published, cents))
        rows += [_row("county", county, published, cents) for county in members]
    return rows


def _tree(
    cities: Mapping[str, list[str]], value_of: Any
) -> tuple[dict[Cell, int], tuple[Group, ...]]:
    """One measure's county → city → province table."""
    values: dict[Cell, int] = {}
    groups: list[Group] = []
    for city, members in cities.items():
        parts = tuple(("county", county) for county in members)
        for county in members:
            values[("county", county)] = value_of(county)
        values[("city", city)] = sum(values[p] for p in parts)
        groups.append(Group(("city", city), parts))
    city_cells = tuple(("city", city) for city in cities)
    values[("province", PROVINCE)] = sum(values[c] for c in city_cells)
    groups.append(Group(("province", PROVINCE), city_cells))
    return values, tuple(groups)


def _certifications(
    cities: Mapping[str, list[str]], counts: Mapping[tuple[str, str], int], threshold: int
) -> dict[tuple[str, str, str], int | None]:
    """Certifications of record, county × method with totals both ways, suppressed as one."""
    values: dict[Cell, int] = {}
    groups: list[Group] = []
    areas = [("county", c) for members in cities.values() for c in members]
    areas += [("city", c) for c in cities] + [("province", PROVINCE)]
    for level, code in areas:
        for method in METHODS:
            if level == "county":
                value = counts.get((code, f"certified:{method}"), 0)
            elif level == "city":
                value = sum(values[(f"county|{method}", c)] for c in cities[code])
            else:
                value = sum(values[(f"city|{method}", c)] for c in cities)
            values[(f"{level}|{method}", code)] = value
        values[(f"{level}|all", code)] = sum(values[(f"{level}|{m}", code)] for m in METHODS)
        parts = tuple((f"{level}|{m}", code) for m in METHODS)
        groups.append(Group((f"{level}|all", code), parts))  # a county's methods → its total
    for method in [*METHODS, "all"]:
        for city, members in cities.items():
            parts = tuple((f"county|{method}", c) for c in members)
            groups.append(Group((f"city|{method}", city), parts))
        parts = tuple((f"city|{method}", c) for c in cities)
        groups.append(Group((f"province|{method}", PROVINCE), parts))
    hidden = withheld(values, tuple(groups), threshold)
    published: dict[tuple[str, str, str], int | None] = {}
    for (kind, code), value in values.items():
        level, method = kind.split("|")
        measure = "certified" if method == "all" else f"certified:{method}"
        published[(level, code, measure)] = None if (kind, code) in hidden else value
    return published


def _cents(
    cities: Mapping[str, list[str]], counts: Mapping[tuple[str, str], int]
) -> dict[tuple[str, str], int]:
    cents: dict[tuple[str, str], int] = {}
    for city, members in cities.items():
        for county in members:
            cents[("county", county)] = counts.get((county, "recovered_cents"), 0)
        cents[("city", city)] = sum(cents[("county", c)] for c in members)
    cents[("province", PROVINCE)] = sum(cents[("city", c)] for c in cities)
    return cents


def _row(
    level: str,
    code: str,
    published: Mapping[tuple[str, str, str], int | None],
    cents: Mapping[tuple[str, str], int],
) -> dict[str, Any]:
    def figure(measure: str) -> int | None:
        return published[(level, code, measure)]

    certified = figure("certified")
    by_comparison = figure("certified:data_comparison")
    recoveries = figure("recoveries")
    opened, cleared = figure("comparison_tasks_opened"), figure("comparison_tasks_cleared")
    name = {"province": "广东省", "city": None, "county": None}[level]
    return {
        "level": level,
        "code": code,
        "name": name or (city_name(code) if level == "city" else county_name(code)),
        "certified": certified,
        "certified_by_method": {m: figure(f"certified:{m}") for m in METHODS},
        "mianban_share": _share(by_comparison, certified),
        **{m: figure(m) for m in ("suspensions", "terminations", "restorations")},
        "recoveries": recoveries,
        "recovered_amount": None if recoveries is None else f"{cents[(level, code)] / 100:.2f}",
        "comparison_tasks_opened": opened,
        "comparison_tasks_cleared": cleared,
        "comparison_error_rate": _share(cleared, opened),
    }


def _share(part: int | None, whole: int | None) -> float | None:
    if part is None or whole is None or whole == 0:
        return None
    return round(part / whole, 4)
