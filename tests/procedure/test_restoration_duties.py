"""Separation of duties on a restoration's back pay (DESIGN.md §7, rules 1 and 7).

County staff may file a restoration themselves; the approval that pays its back pay is
someone else's. Months are counted from this month (China time): the person the province
suspended on the 10th of ``M(-4)`` is back-paid ``M(-3)..M(-1)`` = 3 x 238.00 = 714.00.
"""

from __future__ import annotations

from procedurekit import Office, back_paid_months, month_day
from restorationkit import PROBLEM, refused_unstored, suspended_with_restoration

from certhub.hub.core.keys import STORE


async def test_the_county_reviewer_who_filed_a_restoration_does_not_approve_its_back_pay(
    office: Office,
) -> None:
    person, payload = await suspended_with_restoration(office)
    payload |= {"requested_by": {"id": "county-1", "role": "county_reviewer"}}
    item = await office.accepted("restorations", "county-1", payload)  # by town-1

    size = await office.ledger_size()
    status, body = await office.decide("restorations", item, "county-1", "approve")
    assert (status, body["type"]) == (403, PROBLEM + "same-actor"), body
    assert await office.ledger_size() == size

    # another county reviewer approves it: 714.00 back-paid once
    status, body = await office.decide("restorations", item, "county-2", "approve")
    assert status == 202, body
    store = office.client.app[STORE]
    assert len(await store.counted_months(person["id_number"], "back_paid")) == 3


async def test_a_restoration_does_not_resume_payment_in_a_month_already_back_paid(
    office: Office,
) -> None:
    # suspended on the 10th of M(-4), paid through M(-4); the first restoration back-paid
    # M(-1) = 238.00 and resumed payment from M(0)
    person, _ = await suspended_with_restoration(office)
    since = month_day(-4, 10)
    first = back_paid_months(person, since, -1, -1, "238.00")
    await office.approved("restorations", "town-1", first)
    store = office.client.app[STORE]
    number = person["id_number"]
    assert await store.back_paid_months(number) == {month_day(-1).strftime("%Y-%m")}

    # a second one back-pays M(-3)..M(-2) = 476.00 and resumes payment from M(-1): the
    # province would pay M(-1) regularly, 238.00 a second time
    second = back_paid_months(person, since, -3, -2, "476.00")
    assert second["restore_from"] == month_day(-1).isoformat()
    body = await refused_unstored(
        office, "months-already-counted", lambda: office.post("/v1/restorations", "town-1", second)
    )
    assert month_day(-1).strftime("%Y-%m") in body["detail"], body
