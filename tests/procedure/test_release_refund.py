"""Through the hub's HTTP API: a release stated on the restoration cuts the imprisonment's
overpayment to the prison months, and refunds what was recovered of the others.

Months are counted from this month (China time) — in December 2026 the brief's vectors
exactly: on the roster at 238.00, paid through ``M(-1)`` (2026-11); jailed on the 10th of
``M(-9)`` (2026-03-10), confirmed with no end stated: ``M(-8)..M(-1)`` (2026-04..11) = 8 x
238.00 = 1,904.00 overpaid; 714.00 recovered. The province suspends the person; staff's
restoration states the release on the last day of ``M(-7)`` (2026-05-31) and back-pays
``M(0)`` (the roster paid through ``M(-1)``). Approved: the overpayment is ``M(-8)..M(-7)``
= 476.00, recovered in full, 238.00 refunded (``M(-6)`` recovered and not owed), and
``M(-6)..M(-1)`` are recovered no more. Before, 1,904.00 stayed to recover from a person
entitled to 1,428.00 of it.
"""

from __future__ import annotations

from typing import Any

from procedurekit import Office, month_day, month_end
from releasekit import balance, label, recovered, released_restoration
from releasekit import jailed_while_paid as jailed

from certhub.hub.core.keys import STORE

PROBLEM = "urn:certhub:problem:"


async def jailed_while_paid(office: Office) -> tuple[dict[str, Any], str]:
    """The vector's person and imprisonment task, suspended: 1,904.00 to recover."""
    person, task = await jailed(office)
    assert await balance(office, task) == (8, "1904.00", "0.00", "1904.00", "pending")
    return person, task


async def signed(office: Office, task: str) -> dict[str, tuple[str, str, int, str, str, str]]:
    """The task's overpayment records in the provincial pull, by message id."""
    status, body = await office.get("/v1/outcomes", limit="1000")
    assert status == 200, body
    return {
        o["message_id"]: (
            p["period_from"], p["period_to"], p["months"], p["amount"], p["recovered_amount"],
            p["recovery_status"],
        )
        for o in body["items"]
        if o["type"] == "overpayment/v1" and (p := o["payload"])["task_id"] == task
    }  # fmt: skip


async def recovered_months(office: Office, person: dict[str, Any]) -> list[str]:
    found = await office.client.app[STORE].counted_months(person["id_number"], "recovered")
    return sorted(found)


async def test_the_months_after_the_release_are_taken_off_and_refunded(office: Office) -> None:
    person, task = await jailed_while_paid(office)
    status, body = await recovered(office, task, "714.00", "BR-1")
    assert status == 202, body
    payload = await released_restoration(office, person)
    item = await office.accepted("restorations", "town-1", payload)
    # accepted only: nothing changes yet
    assert await balance(office, task) == (8, "1904.00", "714.00", "1190.00", "partially_recovered")
    status, body = await office.decide("restorations", item, "county-1", "approve")
    assert status == 202, body

    assert await balance(office, task) == (2, "476.00", "476.00", "0.00", "recovered")
    records = await signed(office, task)
    kept = (month_day(-8).isoformat(), month_end(-7).isoformat(), 2, "476.00")
    cut = (month_day(-6).isoformat(), month_end(-1).isoformat(), 6, "1428.00")
    assert records[f"overpayment:{task}:released"] == (*kept, "476.00", "recovered")
    assert records[f"overpayment:{task}:released:voided"] == (*cut, "238.00", "voided")
    assert await recovered_months(office, person) == [label(-8), label(-7)]
    entries = await office.client.app[STORE].audit_entries(0, 100_000)
    assert [e.subject for e in entries if e.action == "overpayment_released"] == [task, task]
    # recovered in full: nothing more is taken
    status, body = await recovered(office, task, "238.00", "BR-2")
    assert (status, body.get("type")) == (409, PROBLEM + "overpayment-settled"), body


async def test_nothing_recovered_the_prison_months_stay_to_recover(office: Office) -> None:
    person, task = await jailed_while_paid(office)
    await office.approved("restorations", "town-1", await released_restoration(office, person))
    assert await balance(office, task) == (2, "476.00", "0.00", "476.00", "pending")
    assert await recovered_months(office, person) == [label(-8), label(-7)]
    # a recovery is recorded against the months kept: the record re-signed is theirs
    status, body = await recovered(office, task, "476.00", "BR-3")
    assert status == 202, body
    assert await balance(office, task) == (2, "476.00", "476.00", "0.00", "recovered")
    feedback = (await signed(office, task))[f"overpayment:{task}:r47600"]
    kept = (month_day(-8).isoformat(), month_end(-7).isoformat(), 2, "476.00")
    assert feedback == (*kept, "476.00", "recovered")


async def test_a_rejected_or_refused_restoration_changes_nothing(office: Office) -> None:
    person, task = await jailed_while_paid(office)
    payload = await released_restoration(office, person)
    item = await office.accepted("restorations", "town-1", payload)
    status, body = await office.decide("restorations", item, "county-1", "reject")
    assert status == 202, body
    assert await balance(office, task) == (8, "1904.00", "0.00", "1904.00", "pending")
    # held by a death reported meanwhile: the approval is refused, nothing stored
    item = await office.accepted("restorations", "town-1", payload)
    death = await office.reported(person, "death", month_day(-1, 15))
    size = await office.ledger_size()
    status, body = await office.decide("restorations", item, "county-1", "approve")
    assert (status, body["type"]) == (409, PROBLEM + "restoration-verification-open"), body
    assert await office.ledger_size() == size
    assert await balance(office, task) == (8, "1904.00", "0.00", "1904.00", "pending")
    assert len(await recovered_months(office, person)) == 8
    assert (await office.step(death, "county-1", "cleared"))[0] == 202
    status, body = await office.decide("restorations", item, "county-1", "approve")
    assert status == 202, body
    assert await balance(office, task) == (2, "476.00", "0.00", "476.00", "pending")


async def test_released_in_the_month_jailed_voids_the_overpayment(office: Office) -> None:
    """Released on the last day of M(-9), the month jailed: no month was a prison month;
    the overpayment is voided as a voided termination's, the 714.00 recovered refunded."""
    person, task = await jailed_while_paid(office)
    status, body = await recovered(office, task, "714.00", "BR-4")
    assert status == 202, body
    await office.approved("restorations", "town-1", await released_restoration(office, person, -9))
    assert await balance(office, task) == (8, "1904.00", "714.00", "0.00", "voided")
    every = (month_day(-8).isoformat(), month_end(-1).isoformat(), 8, "1904.00")
    voided = (await signed(office, task))[f"overpayment:{task}:voided"]
    assert voided == (*every, "714.00", "voided")
    assert await recovered_months(office, person) == []
    status, body = await recovered(office, task, "238.00", "BR-5")
    assert (status, body.get("type")) == (409, PROBLEM + "overpayment-settled"), body
