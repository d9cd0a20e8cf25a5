"""Questions for the province about the register's cycle and states, as strict xfails
(decision wanted)."""

from __future__ import annotations

from datetime import date
from typing import Any

from procedurekit import Office, month_day
from questionkit import decision_wanted
from registerkit import certify, person
from reminderkit import due_in
from suspensionkit import confirmed

from certhub.hub.rules.months import month_index


@decision_wanted("a certification answering the first reminder is never counted")
async def test_certified_a_month_before_the_due_month_every_year(ledger: Any) -> None:
    """The hub's first reminder (slot 1 of 2) asks the pensioner to certify the month before
    the due month. One who does so every year — the 10th of March 2026, then of February 2027
    (due 2027-03, reminded in 2027-02), then of January 2028 (due 2028-02, reminded in
    2028-01) — is of record in 2026-03 and 2028-01 only: February 2027 is 11 months after
    the record's month, so it is linked to it (README, "The cycle"). So the summary for
    December 2027 (the 12 months 2027-01..2027-12) counts 0 people certified beside 1
    certification, and a town whose pensioners answer every first reminder is counted as
    certifying half of them a year (the KPI ``records`` alike). Question: should a
    certification that moves the due month by a whole cycle or nearly (here 11 months,
    after the hub's own reminder) count as the next cycle's record — proposed: one in the
    month before the record's due month or later (11 or more months after the record's
    month) is of record, so this pensioner counts 1 in 2027 as in 2026 and 2028?"""
    who = person(1)
    await certify(ledger, 1, who, date(2026, 3, 10))
    await certify(ledger, 2, who, date(2027, 2, 10))
    await certify(ledger, 3, who, date(2028, 1, 10))
    summary = await ledger.register_summary(month_index(date(2027, 12, 1)), "", None)
    assert (summary["people_certified"], summary["certifications"]) == (1, 1)


@decision_wanted("a pensioner the hub suspended reads as due or overdue")
async def test_the_hubs_suspension_in_the_lists(office: Office) -> None:
    """Certified on the 15th of M(-13) (due M(-1), overdue this month), reported in prison
    on the 3rd of M(-2), the county confirms it: the hub signs the suspension
    (imprisonment), and stops reminding and proposing them (README, Reminders). Until the
    province's next roster applies it the roster says ``active``, and the register reads
    them ``overdue``: on the overdue list (the work list of who must still certify), in the
    summary's ``overdue``, and in the village coordinator's list as 逾期未认证. A death the hub
    confirmed reads ``terminated`` at once "whatever the roster still says" (README,
    Certification register). Question: should the hub's own suspension read ``suspended``
    at once in the same way — proposed: off the overdue list, ``suspended`` in the people
    list, counted in the summary's ``suspended`` (not ``overdue``) — until a restoration
    ends it?"""
    (person,) = await due_in(office, 1, -1)
    await confirmed(office, person, "imprisonment", month_day(-2, 3))
    area = person["region"]["village"]
    status, page = await office.get("/v1/register/people", area=area)
    assert status == 200, page
    assert [e["status"] for e in page["items"]] == ["suspended"]
    status, summary = await office.get("/v1/register/summary", area=area)
    assert status == 200, summary
    assert (summary["people"]["suspended"], summary["people"]["overdue"]) == (1, 0)
