"""Small-cell suppression, property-tested: nothing below the threshold is published, and no
withheld figure can be recomputed from the published ones by the sums the table implies.

"Recomputed" is checked exactly, by an independent rank test over the
equations the table implies (``tests/support/suppressionkit.py``).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from suppressionkit import given_away

from certhub.hub.accountability.suppression import Cell, Group, withheld

T = 5


def exposed(hidden: frozenset[Cell], groups: tuple[Group, ...]) -> set[object]:
    return given_away(hidden, [(g.total, g.parts) for g in groups])


def table(cities: list[list[int]]) -> tuple[dict[Cell, int], tuple[Group, ...]]:
    values: dict[Cell, int] = {}
    groups = []
    city_cells = []
    for c, counties in enumerate(cities):
        city: Cell = ("city", f"44{c + 1:02d}00")
        parts = tuple(("county", f"44{c + 1:02d}{n + 1:02d}") for n in range(len(counties)))
        values.update(zip(parts, counties, strict=True))
        values[city] = sum(counties)
        groups.append(Group(city, parts))
        city_cells.append(city)
    province: Cell = ("province", "440000")
    values[province] = sum(values[c] for c in city_cells)
    groups.append(Group(province, tuple(city_cells)))
    return values, tuple(groups)


counts = st.one_of(st.integers(0, 6), st.integers(0, 40))
provinces = st.lists(st.lists(counts, min_size=1, max_size=5), min_size=1, max_size=4)


@settings(max_examples=400, deadline=None)
@given(provinces)
def test_nothing_small_is_published_and_nothing_withheld_is_given_back(
    cities: list[list[int]],
) -> None:
    values, groups = table(cities)
    hidden = withheld(values, groups, T)
    assert not [c for c, v in values.items() if c not in hidden and 0 < v < T]
    assert {cell for cell in exposed(hidden, groups) if values[cell]} == set()  # type: ignore[index]
    for group in groups:  # what subtraction does give (a sum of withheld parts) is not small
        parts = [c for c in group.parts if c in hidden]
        if parts and group.total not in hidden:
            assert len(parts) >= 2
            assert sum(values[c] for c in parts) >= T


def test_a_fixed_table_suppressed_by_hand() -> None:
    # city 4401: counties 3 (small), 7, 20 → the 3 and the next smallest, 7, go (sum 10).
    # city 4402: one county of 2 → it goes, and with nothing else to hide, the city's 2 too.
    # province: one city withheld → the other city (30) goes as well; the province's 32 stays.
    values, groups = table([[3, 7, 20], [2]])
    hidden = withheld(values, groups, T)
    assert hidden == {
        ("county", "440101"),
        ("county", "440102"),
        ("county", "440201"),
        ("city", "440200"),
        ("city", "440100"),
    }
    assert exposed(hidden, groups) == set()


def test_zeros_and_large_figures_are_published_as_they_are() -> None:
    values, groups = table([[0, 0, 12], [40, 9]])
    assert withheld(values, groups, T) == frozenset()
