"""An independent check of published tables: which withheld cells the sums give back.

Withheld cells are unknowns, every sum the table implies (a total and its
parts) one linear equation; a withheld cell is given away when its unit
vector lies in the equations' row space — the rank test below, over exact
fractions, whatever combination of rows and levels an attacker subtracts.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from fractions import Fraction


def rank(rows: Sequence[Sequence[Fraction]]) -> int:
    """The rank of a matrix of fractions (Gauss–Jordan elimination)."""
    matrix = [list(row) for row in rows]
    r = 0
    columns = len(matrix[0]) if matrix else 0
    for c in range(columns):
        pivot = next((i for i in range(r, len(matrix)) if matrix[i][c] != 0), None)
        if pivot is None:
            continue
        matrix[r], matrix[pivot] = matrix[pivot], matrix[r]
        for i in range(len(matrix)):
            if i != r and matrix[i][c] != 0:
                factor = matrix[i][c] / matrix[r][c]
                matrix[i] = [a - factor * b for a, b in zip(matrix[i], matrix[r], strict=True)]
        r += 1
    return r


def given_away(
    hidden: Iterable[Hashable], sums: Iterable[tuple[Hashable, Sequence[Hashable]]]
) -> set[Hashable]:
    """The hidden cells determined by the sums ``(total, parts)`` and everything published."""
    unknowns = sorted(set(hidden), key=repr)
    index = {cell: n for n, cell in enumerate(unknowns)}
    rows = []
    for total, parts in sums:
        row = [Fraction(0)] * len(unknowns)
        for cell in parts:
            if cell in index:
                row[index[cell]] += 1
        if total in index:
            row[index[total]] -= 1
        if any(row):
            rows.append(row)
    base = rank(rows) if rows else 0
    exposed = set()
    for cell in unknowns:
        unit = [Fraction(int(index[cell] == n)) for n in range(len(unknowns))]
        if rank([*rows, unit]) == base:
            exposed.add(cell)
    return exposed
