"""Through the hub's HTTP API: a missing person found to have been in prison — the months
the disappearance recovered that were prison months stay recovered, by the imprisonment.

Months are counted from this month (China time) — in December 2026: on the roster at
238.00, paid through ``M(-1)`` (2026-11). Missing since the 2nd of ``M(-6)`` (2026-06-02),
confirmed: ``M(-5)..M(-1)`` = 5 x 238.00 = 1,190.00 overpaid; 476.00 of it recovered. Found:
jailed on the 10th of ``M(-6)``, confirmed — nothing more overpaid (the disappearance
recovers those months). Staff's restoration of the suspension since the 2nd of ``M(-6)``
(the person found, out of prison on the last day of ``M(-3)``: the sentence's end the
confirmation stated, or a release the restoration states) back-pays ``M(0)``; approved, it
voids the disappearance's overpayment (the 476.00 recovered refunded): ``M(-2)..M(-1)``
were owed. But ``M(-5)..M(-3)`` were prison months paid to a prisoner: 3 x 238.00 = 714.00
to recover by the imprisonment. Before the fix nothing recovered them (the imprisonment
had no overpayment at all).
"""

from __future__ import annotations

import pytest
from latekit import label
from procedurekit import Office, back_paid_months, month_day
from releasekit import balance, recovered
from suspensionkit import confirmed, release_stated, suspended_paid


@pytest.mark.parametrize(
    ("until", "released"),
    [(-3, None), (None, -3), (-4, -3), (-2, -3)],
    ids=["sentence-served", "release-stated", "release-later", "release-earlier"],
)
async def test_prison_months_a_voided_disappearance_counted_are_recovered(
    office_db: Office, until: int | None, released: int | None
) -> None:
    office = office_db
    person = office.people.person()
    await office.roster(person, paid_through=label(-1))
    missing = await confirmed(office, person, "missing", month_day(-6, 2))
    assert (await recovered(office, missing, "476.00", "BR-7"))[0] == 202
    jailed = await confirmed(office, person, "imprisonment", month_day(-6, 10), until)
    await suspended_paid(office, person, month_day(-6, 2), -1)
    stated = {} if released is None else await release_stated(office, released)
    payload = back_paid_months(person, month_day(-6, 2), 0, 0, "238.00", **stated)
    await office.approved("restorations", "town-1", payload)

    assert await balance(office, missing) == (5, "1190.00", "476.00", "0.00", "voided")
    status, body = await office.get(f"/v1/overpayments/{missing}", "county-1")
    assert (status, body["refunded"]) == (200, "476.00"), body
    assert await balance(office, jailed) == (3, "714.00", "0.00", "714.00", "pending")
