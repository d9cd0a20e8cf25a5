"""The hub's restoration of a non-certification suspension never resumes payment in a month
staff's restoration already back-paid (issue 13: a month is paid at most once).

238.00 a month, months counted from this one (China time). Suspended by the hub from the 1st
of M(-2) (paid through M(-3)); the pensioner certifies today, which opens the hub's proposal.
Staff meanwhile restore the same suspension back-paying M(0) alone (238.00, resumed from
M(+1)), approved. Approving the hub's proposal would back-pay M(-2)..M(-1) (476.00) and
resume payment from M(0): the province would pay M(0) regularly, 238.00 a second time.
"""

from __future__ import annotations

from procedurekit import Office, back_paid_months, month_day

from certhub.hub.core.keys import STORE

from .test_certified_restoration_proposed import proposed  # type: ignore[import-not-found]
from .test_overdue_to_restored import PROBLEM  # type: ignore[import-not-found]


async def test_the_proposal_does_not_resume_payment_in_a_month_staff_back_paid(
    office: Office,
) -> None:
    person, item = await proposed(office)
    number = person["id_number"]
    store = office.client.app[STORE]
    staff = back_paid_months(person, month_day(-2), 0, 0, "238.00")
    await office.approved("restorations", "town-1", staff)
    assert await store.back_paid_months(number) == {month_day(0).strftime("%Y-%m")}

    for party, action in (("town-1", "accept"), ("county-1", "approve")):
        size = await office.ledger_size()
        status, body = await office.decide("restoration-proposals", item, party, action)
        assert (status, body["type"]) == (409, PROBLEM + "months-already-counted"), body
        assert month_day(0).strftime("%Y-%m") in body["detail"], body
        assert await office.ledger_size() == size
    assert await store.back_paid_months(number) == {month_day(0).strftime("%Y-%m")}
