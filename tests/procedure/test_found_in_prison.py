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

from typing import Any

import pytest
from procedurekit import Office, evidence_payloads, month_day, month_end, restoration
from releasekit import balance, label, recovered

MISSING = month_day(-6, 2)
JAILED = month_day(-6, 10)


async def release(office: Office, offset: int | None) -> dict[str, Any]:
    """The restoration's fields stating the release on the last day of M(``offset``) (a
    stored court judgment); none when ``offset`` is None."""
    if offset is None:
        return {}
    digest = await office.upload(evidence_payloads()["pdf"], "application/pdf")
    evidence = {"sha256": digest, "kind": "court_judgment", "media_type": "application/pdf"}
    return {"released_on": month_end(offset).isoformat(), "release_evidence": evidence}


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
    missing = await office.reported(person, "missing", MISSING)
    status, body = await office.step(
        missing, "county-1", "confirmed", event_date=MISSING.isoformat()
    )
    assert status == 202, body
    assert (await recovered(office, missing, "476.00", "BR-7"))[0] == 202
    jailed = await office.reported(person, "imprisonment", JAILED)
    stated = {} if until is None else {"suspend_until": month_end(until).isoformat()}
    step = await office.step(
        jailed, "county-1", "confirmed", event_date=JAILED.isoformat(), **stated
    )
    assert step[0] == 202, step
    since = MISSING.isoformat()
    await office.roster(person, status="suspended", suspended_since=since, paid_through=label(-1))
    payload = restoration(
        person, MISSING, back_pay_from=month_day(0).isoformat(),
        back_pay_to=month_end(0).isoformat(), back_pay_amount="238.00",
        restore_from=month_day(1).isoformat(), **await release(office, released),
    )  # fmt: skip
    await office.approved("restorations", "town-1", payload)

    assert await balance(office, missing) == (5, "1190.00", "476.00", "0.00", "voided")
    status, body = await office.get(f"/v1/overpayments/{missing}", "county-1")
    assert body["refunded"] == "476.00", body
    assert await balance(office, jailed) == (3, "714.00", "0.00", "714.00", "pending")
