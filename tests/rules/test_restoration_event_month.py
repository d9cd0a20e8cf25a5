"""Hand-computed vectors: back pay of the event month of the hub's own suspension.

238.00 a month. The hub confirmed an imprisonment on 2026-12-20 (E's month 2026-12 is
payable: the disposal recovers only the months after it), no end stated; the province's
entry shows the hub's suspension, suspended since 2026-12-20 and paid through 2026-11 — it
had stopped paying earlier (a termination since voided), so 2026-12 was never paid.
Released on 2027-01-01 (2027-01 a prison month), checked on 2027-01-05: a restoration
back-paying 2026-12 (238.00) and resuming payment in 2027-02 is owed; before, back pay could
start only on 2026-12-20 (``restoration-period-invalid``) and 2026-12 was never paid. Any
month paid (``paid_through``, claimed paid, recovered), resumed, or another suspension's
keeps today's refusal.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from certhub.hub.rules.restoration import HubFindings, check_restoration
from certhub.hub.rules.restoration_findings import HubSuspension
from certhub.schemas import BenefitRecord, Refusal, Restoration, SuspensionReason

from .conftest import restoration_of  # type: ignore[import-not-found]

EVIDENCE = {"sha256": "e" * 64, "kind": "court_judgment", "media_type": "application/pdf"}
JAILED = date(2026, 12, 20)
ON = date(2027, 1, 5)
DECEMBER: tuple[date, date, str] = (date(2026, 12, 1), date(2026, 12, 31), "238.00")
RELEASED: dict[str, Any] = {"released_on": "2027-01-01", "release_evidence": EVIDENCE}


def restoration(
    start: date, end: date, amount: str, *, since: date = JAILED, **fields: Any
) -> Restoration:
    """Town staff's restoration of the suspension since ``since``, resumed in 2027-02, paid
    to the account on file (no new ``bank_account``)."""
    filed: Restoration = restoration_of(
        datetime(2027, 1, 5, tzinfo=UTC), bank_account=None,
        suspended_since=since.isoformat(), restore_from="2027-02-01",
        back_pay_from=start.isoformat(), back_pay_to=end.isoformat(), back_pay_amount=amount,
        **fields,
    )  # fmt: skip
    return filed


def found(
    reason: SuspensionReason = SuspensionReason.imprisonment, e: date = JAILED
) -> HubFindings:
    """The hub's own suspension from ``e`` standing (no end stated), nothing recovered."""
    return HubFindings((), (HubSuspension(f"{reason.value} task-7", reason, e),))


def check(
    r: Restoration, hub: HubFindings, paid_through: str = "2026-11", **kwargs: Any
) -> tuple[str, ...]:
    """The back-paid months, the province's entry suspended since ``r``'s date."""
    roster = BenefitRecord.model_validate(
        {
            "person": r.person,
            "status": "suspended",
            "suspended_since": r.suspended_since,
            "paid_through": paid_through,
            "monthly_amount": "238.00",
            "bank_account_on_file": "6222***********0123",
            "as_of": datetime(2027, 1, 2, tzinfo=UTC),
        }
    )
    return check_restoration(r, roster, on=ON, hub=hub, **kwargs).back_paid


def refused(r: Restoration, hub: HubFindings, paid_through: str = "2026-11", **kwargs: Any) -> str:
    """The refusal's slug."""
    with pytest.raises(Refusal) as caught:
        check(r, hub, paid_through, **kwargs)
    return caught.value.slug


def test_the_imprisonment_s_month_never_paid_is_back_paid_across_the_year_end() -> None:
    assert check(restoration(*DECEMBER, **RELEASED), found()) == ("2026-12",)  # 238.00


def test_a_prison_month_or_a_month_before_the_event_s_stays_unpaid() -> None:
    # 2026-12..2027-01 (476.00): January is a prison month (released on its 1st)
    both = restoration(date(2026, 12, 1), date(2027, 1, 31), "476.00", **RELEASED)
    assert refused(both, found()) == "restoration-finding-confirmed"
    # 2026-11..2026-12 (476.00): November lies before the suspension and its month
    earlier = restoration(date(2026, 11, 1), date(2026, 12, 31), "476.00", **RELEASED)
    assert refused(earlier, found(), paid_through="2026-10") == "restoration-period-invalid"


def test_the_month_paid_is_refused_as_before() -> None:
    december = restoration(*DECEMBER, **RELEASED)
    assert refused(december, found(), paid_through="2026-12") == "restoration-period-invalid"
    assert refused(december, found(), paid={"2026-12"}) == "restoration-period-invalid"
    recovered = HubFindings((), found().suspensions, frozenset({"2026-12"}))
    assert refused(december, recovered) == "restoration-period-invalid"


def test_a_month_payment_resumed_in_is_refused() -> None:
    december = restoration(*DECEMBER, **RELEASED)
    # another restoration resumed payment in 2026-12: the province pays it regularly
    assert refused(december, found(), resumed={"2026-12"}) == "restoration-period-invalid"
    # resumed in 2026-10, recorded after the province's entry: it pays from then on, unseen
    late: dict[str, Any] = {"resumed": {"2026-10"}, "resumed_after_roster": {"2026-10"}}
    assert refused(december, found(), **late) == "restoration-period-invalid"
    # resumed in 2026-10 before the entry, which shows what was paid since: owed
    assert check(december, found(), resumed={"2026-10"}) == ("2026-12",)


def test_a_suspension_not_the_hub_s_own_back_pays_from_its_day_as_before() -> None:
    province = restoration(*DECEMBER)  # no imprisonment, no release: the province's own
    assert refused(province, HubFindings()) == "restoration-period-invalid"
    other_day = restoration(*DECEMBER, **RELEASED)  # the hub jailed the person on the 10th
    assert refused(other_day, found(e=date(2026, 12, 10))) == "restoration-period-invalid"
    overdue = found(SuspensionReason.not_certified)
    assert refused(province, overdue) == "restoration-other-suspension"


def test_a_disappearance_s_month_is_owed_too() -> None:
    # missing from 2026-12-20, found: 2026-12 (payable) and 2027-01 (missing: owed), 476.00
    found_again = restoration(date(2026, 12, 1), date(2027, 1, 31), "476.00")
    assert check(found_again, found(SuspensionReason.missing)) == ("2026-12", "2027-01")
