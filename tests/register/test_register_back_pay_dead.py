"""Back pay of a non-certification suspension recovered when the person is found dead before
it (found correct). Months counted from this month (China time), 238.00 a month.

Last certified in the app on the 15th of M(-17): due M(-5), liable from the 1st of M(-4).
The register proposes suspending the person, town staff accept, the county approves
(``suspension/v1`` not_certified from the 1st of M(-4)); the province applies it
(suspended since then, paid through M(-5)). An app certification today (someone else
using the card) ends the suspension: staff's restoration back-pays M(-4)..M(-1)
(4 x 238.00 = 952.00) and resumes payment from M(0), approved. Then the person's death
on the 10th of M(-6) is reported and confirmed: every month paid after the death's month
is overpaid — M(-5) paid regularly and the back pay of M(-4)..M(-1): 5 x 238.00 = 1,190.00
recovered, each month once; the province's next entry, paid through M(0) (payment resumed),
adds M(0): 1,428.00.
"""

from __future__ import annotations

from procedurekit import Office, back_paid_months, month_day, today

from certhub.hub.core.keys import PROCEDURE, STORE
from certhub.hub.register.suspensions import ProposalSweep
from certhub.hub.rules.months import month_index, month_label


def label(offset: int) -> str:
    """``YYYY-MM`` of M(``offset``)."""
    return month_label(month_index(today()) + offset)


async def test_back_pay_to_a_person_found_dead_before_it_is_recovered(office: Office) -> None:
    app = office.client.app
    store = app[STORE]
    person = office.people.person()
    number = person["id_number"]
    await office.roster(person, paid_through=label(-5))
    await office.certified_in_app(person, f"{label(-17)}-15T10:00:00+08:00")
    sweep = ProposalSweep(store, app[PROCEDURE].outcomes, grace_months=0)
    assert await sweep.sweep(today()) == 1
    _, page = await office.get("/v1/outcomes", limit="1000")
    (proposal,) = [p for p in page["items"] if p["type"] == "suspension_proposal/v1"]
    assert proposal["payload"]["liable_from"] == month_day(-4).isoformat()
    item = proposal["sequence"]
    assert (await office.decide("suspension-proposals", item, "town-1", "accept"))[0] == 202
    assert (await office.decide("suspension-proposals", item, "county-1", "approve"))[0] == 202
    since = month_day(-4)
    await office.roster(
        person, status="suspended", suspended_since=since.isoformat(), paid_through=label(-5)
    )
    await office.certified_in_app(person)  # the card used today
    await office.approved(
        "restorations", "town-1", back_paid_months(person, since, -4, -1, "952.00")
    )
    assert await store.counted_months(number, "back_paid") == {label(k) for k in range(-4, 0)}

    task = await office.confirmed_death(person, month_day(-6, 10))
    status, over = await office.get(f"/v1/overpayments/{task}", "county-1")
    assert status == 200, over
    assert (over["amount"], over["months"]) == ("1190.00", 5), over
    assert await store.counted_months(number, "recovered") == {label(k) for k in range(-5, 0)}
    # the province's next entry: resumed in M(0) and paid for it — that month is overpaid too
    await office.roster(person, paid_through=label(0))
    status, over = await office.get(f"/v1/overpayments/{task}", "county-1")
    assert (over["amount"], over["months"]) == ("1428.00", 6), over
    assert await store.counted_months(number, "recovered") == {label(k) for k in range(-5, 1)}
