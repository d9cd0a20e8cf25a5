"""Staff's restoration of a voided termination the province never applied (rule 7, review).

The roster still says active: the province pays regularly from this month on, so back
pay ends before it, as the hub's own proposal's does (issue 13: a month is paid once).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from certhub.hub.rules.restoration import VoidedTermination, check_restoration
from certhub.schemas import Refusal

from .conftest import restoration_of, roster_of  # type: ignore[import-not-found]

# A voided termination the province never applied (roster still active, paid through
# 2026-09): false death 2026-09-03, checked on 2026-12-06. The province pays 2026-12 on
# regularly (as the hub's own proposal assumes: back pay 2026-10, 2026-11 = 476.00);
# staff's restoration back-paying 2026-10 … 2027-01 (4 × 238.00 = 952.00, restored
# 2027-02-01) would pay 2026-12 and 2027-01 twice.
VOIDED = VoidedTermination("task-cmp", date(2026, 9, 3))
DECEMBER = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)


def on_active_roster(**fields: str) -> int:
    """Months back-paid by staff's restoration of VOIDED on the active roster."""
    restoration = restoration_of(DECEMBER, suspended_since="2026-09-03", **fields)
    entry = roster_of(restoration, DECEMBER, status="active", paid_through="2026-09")
    return check_restoration(
        restoration,
        entry,
        on=DECEMBER.date(),
        terminated_by="death, task task-cmp",
        voided=VOIDED,
    ).months


def test_an_active_roster_is_back_paid_only_before_this_month() -> None:
    assert (
        on_active_roster(
            back_pay_from="2026-10-01",
            back_pay_to="2026-11-30",
            restore_from="2026-12-01",
            back_pay_amount="476.00",
        )
        == 2
    )
    with pytest.raises(Refusal) as caught:
        on_active_roster(
            back_pay_from="2026-10-01",
            back_pay_to="2027-01-31",
            restore_from="2027-02-01",
            back_pay_amount="952.00",
        )
    assert caught.value.slug == "restoration-period-invalid"
    assert "2026-12" in caught.value.detail
