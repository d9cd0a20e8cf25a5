"""Small-cell suppression for published counts: no figure below the threshold, and none that
subtraction gives back.

The published table is a tree: county cells add up to their city's, city
cells to the province's. A count from 1 to ``threshold - 1`` is withheld
(primary suppression). Withholding one cell of a group whose total is
published would give it back by subtraction, and withholding cells whose sum
is small would publish that small sum; so in every group with anything
withheld, further cells are withheld — the smallest first — until at least
two are and their sum reaches the threshold, and when the group has no more
cells to give, its total is withheld instead (which then counts as withheld
in the group above). Zero is published: it says nothing about a person.

Pure: values in, the set of withheld cells out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

Cell = tuple[str, str]
"""(level, region code): ``("county", "445302")``, ``("city", "445300")``, ``("province", …)``."""


@dataclass(frozen=True, slots=True)
class Group:
    """A total and the cells that add up to it."""

    total: Cell
    parts: tuple[Cell, ...]


def withheld(
    values: Mapping[Cell, int], groups: tuple[Group, ...], threshold: int
) -> frozenset[Cell]:
    """The cells to withhold, settled until every group is safe (see the module docstring).

    Args:
        values: every cell's count (a total equals the sum of its parts).
        groups: the tree: each total with its parts (a city with its counties, the
            province with its cities).
        threshold: the smallest count that may be published (e.g. 5).
    """
    hidden = {cell for cell, value in values.items() if 0 < value < threshold}
    changed = True
    while changed:  # hiding a total can unsettle the group it is a part of, and back
        changed = False
        for group in groups:
            changed |= _settle(group, values, hidden, threshold)
    return frozenset(hidden)


def _settle(group: Group, values: Mapping[Cell, int], hidden: set[Cell], threshold: int) -> bool:
    """Withhold more of ``group`` until it gives nothing back; whether anything was added.

    A group with a published total and anything withheld needs two withheld parts
    summing to the threshold (the smallest positive parts are added), else its
    total is withheld; a group with a withheld total needs two withheld parts (or
    all, when it has fewer) — positive ones first, a zero if need be — else the
    total is the sum of what is published, or of one more unknown. Zeros withheld
    that way protect nothing and need no protection. (That the equations of all
    the groups together give no withheld cell back is checked exactly by the
    property tests.)
    """
    inside = [cell for cell in group.parts if cell in hidden]
    if not inside and group.total not in hidden:
        return False
    open_parts = sorted(
        ((values[cell], cell) for cell in group.parts if cell not in hidden),
        key=lambda item: (item[0] == 0, item[0], item[1]),  # positive first, smallest first
    )
    added = False
    while not _safe(group, inside, values, hidden, threshold):
        usable = [item for item in open_parts if item[0] > 0 or group.total in hidden]
        if not usable:
            hidden.add(group.total)  # only a published total can be unsafe with none left
            return True
        item = usable[0]
        open_parts.remove(item)
        hidden.add(item[1])
        inside.append(item[1])
        added = True
    return added


def _safe(
    group: Group, inside: list[Cell], values: Mapping[Cell, int], hidden: set[Cell], threshold: int
) -> bool:
    if group.total in hidden:
        return len(inside) >= min(2, len(group.parts))
    if not any(values[cell] for cell in inside):
        return True  # only zeros withheld (as another group's complement): nothing to give
    return len(inside) >= 2 and sum(values[cell] for cell in inside) >= threshold
