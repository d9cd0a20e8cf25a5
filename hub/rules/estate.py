"""The months a death dated later makes payable that the roster never paid: owed to the estate.

A month up to and including the death month is payable (the pensioner was alive in it).
When a department's void moves the death in force to a later date
(:mod:`certhub.hub.procedure.amendment_undo`), the months after the old date's month
through the new date's month become payable; those the roster's ``paid_through`` does not
cover were never paid, and nothing else pays a terminated benefit: the hub states their
back pay on the re-signed termination and claims them as back-paid, once. Confirmed on
the 3rd of M-2 while paid through M-2, moved to the 8th of M-1: M-1 (238.00) owed; paid
through M0 instead, nothing owed (M-1 paid, M0 overpaid and recovered).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from decimal import Decimal

from certhub.hub.rules.months import month_index, month_label, parse_month

__all__ = ["estate_note", "owed_to_estate"]


def owed_to_estate(
    was: date, now: date, paid_through: str, counted: Collection[str]
) -> tuple[str, ...]:
    """The months (``YYYY-MM``) after ``was``'s month through ``now``'s month (the death
    dated ``now`` instead of ``was``) after ``paid_through``, none in ``counted`` (months
    back-paid or recovered already): the back pay the estate is owed."""
    first = max(month_index(was), month_index(parse_month(paid_through))) + 1
    labels = (month_label(i) for i in range(first, month_index(now) + 1))
    return tuple(m for m in labels if m not in counted)


def estate_note(months: tuple[str, ...], monthly: Decimal, paid_through: str) -> str:
    """What the re-signed termination says of ``months`` owed (empty when none)."""
    if not months:
        return ""
    amount = (monthly * len(months)).quantize(Decimal("0.01"))
    return (
        f"; back pay to the estate {months[0]}..{months[-1]} = {amount} (payable, never paid:"
        f" the roster paid through {paid_through})"
    )
