"""The certification cycle of 粤人社规〔2023〕4号: :mod:`certhub.hub.rules.cycle`, the rule
(pure, shared with the planners that fold a withdrawn certification out), named here for
the register's own modules."""

from __future__ import annotations

from certhub.hub.rules.cycle import (
    CYCLE_MONTHS,
    Certified,
    PersonCycle,
    covered_until,
    due_month,
    fold,
    liable_from,
    month_of,
)

__all__ = [
    "CYCLE_MONTHS",
    "Certified",
    "PersonCycle",
    "covered_until",
    "due_month",
    "fold",
    "liable_from",
    "month_of",
]
