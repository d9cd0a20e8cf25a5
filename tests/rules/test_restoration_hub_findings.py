"""Hand-computed vectors: a restoration of the province's suspension over what the hub found.

The province suspended the person on 2025-09-10, paid through 2025-09, 238.00 a month.
Staff restore from 2026-03-01 on 2026-03-05, back-paying months of 2025-10..2026-02 (across
the year's end). The hub confirmed an imprisonment on 2025-11-13: 2025-11 was payable (the
month of the event); prison months run from 2025-12 through the month the sentence ends.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from certhub.hub.rules.restoration import HubFindings, check_restoration
from certhub.hub.rules.restoration_findings import HubSuspension, sentence_end
from certhub.schemas import (
    BenefitRecord,
    Refusal,
    Restoration,
    Suspension,
    SuspensionReason,
)

from .conftest import restoration_of, roster_of  # type: ignore[import-not-found]

ON = date(2026, 3, 5)
NOW = datetime(2026, 3, 5, 2, 0, tzinfo=UTC)
SINCE = date(2025, 9, 10)
JAILED = date(2025, 11, 13)
PRISON = "imprisonment task-7"


def restoration(start: date, end: date, months: int) -> Restoration:
    """Staff's restoration from 2026-03-01 back-paying ``start``..``end``, ``months`` x 238.00."""
    return restoration_of(
        NOW,
        suspended_since=SINCE.isoformat(),
        restore_from="2026-03-01",
        back_pay_from=start.isoformat(),
        back_pay_to=end.isoformat(),
        back_pay_amount=f"{238 * months}.00",
    )


def entry(r: Restoration) -> BenefitRecord:
    """The province's entry: suspended since 2025-09-10, paid through 2025-09."""
    return roster_of(
        r, NOW, status="suspended", suspended_since=SINCE.isoformat(), paid_through="2025-09"
    )


def jailed(until: date | None) -> HubFindings:
    return HubFindings((), (HubSuspension(PRISON, SuspensionReason.imprisonment, JAILED, until),))


def check(r: Restoration, hub: HubFindings) -> tuple[str, ...]:
    return check_restoration(r, entry(r), on=ON, hub=hub).back_paid


def refused(r: Restoration, hub: HubFindings) -> str:
    with pytest.raises(Refusal) as caught:
        check_restoration(r, entry(r), on=ON, hub=hub)
    return caught.value.slug


JAN_FEB = restoration(date(2026, 1, 1), date(2026, 2, 28), 2)  # 476.00
DEC_FEB = restoration(date(2025, 12, 1), date(2026, 2, 28), 3)  # 714.00
OCT_FEB = restoration(date(2025, 10, 1), date(2026, 2, 28), 5)  # 1190.00


def test_nothing_found_restores_every_month() -> None:
    assert check(OCT_FEB, HubFindings()) == (
        "2025-10", "2025-11", "2025-12", "2026-01", "2026-02",
    )  # fmt: skip


def test_released_on_new_year_s_eve_restores_from_january() -> None:
    served = jailed(date(2025, 12, 31))  # 2025-12 the only prison month
    assert check(JAN_FEB, served) == ("2026-01", "2026-02")
    assert refused(DEC_FEB, served) == "restoration-finding-confirmed"  # 2025-12 in prison
    assert refused(OCT_FEB, served) == "restoration-finding-confirmed"


def test_months_before_the_imprisonment_and_its_month_are_owed() -> None:
    served = jailed(date(2025, 12, 31))
    before = restoration(date(2025, 10, 1), date(2025, 11, 30), 2)  # 476.00, 2025-11 the event's
    assert check(before, served) == ("2025-10", "2025-11")
    # still jailed on the day payment resumes: refused whatever months are back-paid
    assert refused(before, jailed(date(2026, 3, 31))) == "restoration-finding-confirmed"


def test_released_on_the_first_of_january_january_is_a_prison_month() -> None:
    served = jailed(date(2026, 1, 1))
    assert refused(JAN_FEB, served) == "restoration-finding-confirmed"
    assert check(restoration(date(2026, 2, 1), date(2026, 2, 28), 1), served) == ("2026-02",)


def test_a_sentence_not_served_or_without_end_refuses_everything() -> None:
    feb = restoration(date(2026, 2, 1), date(2026, 2, 28), 1)
    for until in (None, ON, date(2027, 1, 31)):
        assert refused(feb, jailed(until)) == "restoration-finding-confirmed", until
    # the day before the check: served, released in March — resumption from March refused
    assert refused(feb, jailed(date(2026, 3, 4))) == "restoration-finding-confirmed"
    # released on the last day of February, checked on March 5: resumption in March allowed
    march_only = restoration(date(2025, 10, 1), date(2025, 11, 30), 2)
    assert check(march_only, jailed(date(2026, 2, 28))) == ("2025-10", "2025-11")


def test_a_missing_person_is_restored_only_by_a_restoration_of_that_suspension() -> None:
    gone = HubFindings((), (HubSuspension("missing task-8", SuspensionReason.missing, JAILED),))
    assert refused(JAN_FEB, gone) == "restoration-finding-confirmed"
    found = HubFindings((), (HubSuspension("missing task-8", SuspensionReason.missing, SINCE),))
    assert check(OCT_FEB, found)[-1] == "2026-02"  # found again: the months missing are owed


def test_a_suspension_not_read_back_and_an_open_task_refuse() -> None:
    unread = HubFindings((), (HubSuspension(PRISON, SuspensionReason.imprisonment, None),))
    assert refused(JAN_FEB, unread) == "restoration-finding-confirmed"
    assert refused(JAN_FEB, HubFindings(("death task-9",))) == "restoration-verification-open"


def test_sentence_end_is_read_from_the_hub_s_own_suspension() -> None:
    signed = {
        "type": "suspension/v1",
        "person": JAN_FEB.person.model_dump(mode="json"),
        "reason": "imprisonment",
        "effective_from": JAILED.isoformat(),
        "decided_by": {"id": "county-1", "role": "county_reviewer"},
        "decided_at": "2026-03-01T00:00:00Z",
    }
    assert sentence_end(Suspension.model_validate(signed)) is None
    until = signed | {"remarks": "until 2025-12-31"}
    assert sentence_end(Suspension.model_validate(until)) == date(2025, 12, 31)
    other = signed | {"remarks": "until released, 2025-12-31"}
    assert sentence_end(Suspension.model_validate(other)) is None
