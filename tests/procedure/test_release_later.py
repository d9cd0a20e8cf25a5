"""Through the hub's HTTP API: a release stated later than the sentence's end the
confirmation stated recovers the prison months the province paid after that end.

Months are counted from this month (China time) — in December 2026: on the roster at
238.00, paid through ``M(-1)`` (2026-11); jailed on the 10th of ``M(-9)`` (2026-03-10),
confirmed with the sentence to the last day of ``M(-7)`` (2026-05-31): ``M(-8)..M(-7)`` =
476.00 overpaid, ``M(-6)..M(-1)`` payable. The province suspends the person. Staff's
restoration states the actual release, the last day of ``M(-4)`` (2026-08-31: the person
came out three months late), and back-pays ``M(0)``. Approved: ``M(-6)..M(-4)`` were
prison months the roster paid — 3 x 238.00 = 714.00 more to recover, 1,190.00 in all.
"""

from __future__ import annotations

from procedurekit import Office, month_day, month_end
from releasekit import balance, jailed_on, label, recovered, released_restoration
from suspensionkit import confirmed, suspended_paid

from certhub.hub.core.keys import STORE

PROBLEM = "urn:certhub:problem:"


async def jailed_to(office: Office, until: int) -> tuple[dict[str, object], str]:
    """The person paid through M(-1), jailed on the 10th of M(-9), confirmed with the sentence to
    the last day of M(``until``), then suspended by the province: the person and the task."""
    person = office.people.person()
    await office.roster(person, paid_through=label(-1))
    task = await confirmed(office, person, "imprisonment", jailed_on(), until)
    await suspended_paid(office, person, jailed_on(), -1)
    return person, task


async def test_a_later_release_recovers_the_prison_months_paid(office: Office) -> None:
    person, task = await jailed_to(office, -7)
    assert await balance(office, task) == (2, "476.00", "0.00", "476.00", "pending")
    status, body = await recovered(office, task, "476.00", "BR-1")
    assert status == 202, body
    payload = await released_restoration(office, person, offset=-4)
    await office.approved("restorations", "town-1", payload)

    assert await balance(office, task) == (5, "1190.00", "476.00", "714.00", "partially_recovered")
    months = await office.client.app[STORE].counted_months(person["id_number"], "recovered")
    assert sorted(months) == [label(m) for m in range(-8, -3)]
    status, body = await office.get("/v1/outcomes", limit="1000")
    assert status == 200, body
    added = [
        (p["period_from"], p["period_to"], p["amount"])
        for o in body["items"]
        if o["type"] == "overpayment/v1" and o["message_id"] == f"overpayment:{task}:2"
        and (p := o["payload"])
    ]  # fmt: skip
    assert added == [(month_day(-6).isoformat(), month_end(-4).isoformat(), "714.00")]
    status, body = await office.get(f"/v1/overpayments/{task}", "county-1")
    assert body["refunded"] == "0.00", body
