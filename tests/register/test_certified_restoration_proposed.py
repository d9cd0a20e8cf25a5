"""A certification ending the hub's suspension for non-certification opens the restoration
proposal of it, on both ledgers. 238.00 a month, months counted from this one (China time).

Last certified in the app on the 15th of M(-15): due M(-3), liable from the 1st of M(-2).
The sweep proposes suspending the pensioner, town staff accept, the county approves: the
hub signs ``suspension/v1`` (not_certified) from the 1st of M(-2); the province applies it
(suspended since then, paid through M(-3)). The pensioner certifies in the app today (due
M(+12)): in the certification's transaction the hub opens a ``restoration_proposal/v1`` of
that suspension (listed at ``GET /v1/restoration-proposals``); town staff accept it, the
county approves it: the hub signs ``restoration/v1`` back-paying M(-2)..M(-1) = 2 x 238.00
= 476.00 from the suspension date, payment resumed from M(0). Staff's restoration of the
same months is then ``months-already-counted`` (nothing stored); a second certification in
the cycle opens no second proposal; staff's own proposal naming the suspension is
``restoration-period-invalid``. Staff's restoration approved first: the proposal's approval
is ``months-already-counted`` (nothing stored). A counter certification opens it at the
county's approval. A death reported and under verification does not stop it opening (the
certification may be what clears the task): its decisions are
``restoration-verification-open`` until the task is cleared, then approved (476.00). A death
confirmed while it is open reads ``terminated`` (before, ``suspended``: taken for a
restoration of a termination under review), its decisions ``restoration-not-suspended``. A
benefit the hub terminated gets none. Before, nothing prompted the restoration: staff had
to notice and file it.
"""

from __future__ import annotations

from typing import Any

from notcertifiedkit import open_proposals, restoration_signed, suspended_by_the_hub
from procedurekit import Office, back_paid_months, month_day, month_end, today

from certhub.hub.core.keys import STORE

from .test_overdue_to_restored import PROBLEM, label, outcomes
from .test_register_procedure import counter_certification


async def proposed(office: Office) -> tuple[dict[str, Any], int]:
    """A pensioner :func:`suspended_by_the_hub` who certified in the app today: the
    proposal the certification opened (its item)."""
    person = office.people.person()
    await suspended_by_the_hub(office, person)
    await office.certified_in_app(person)  # alive: due M(+12)
    (proposal,) = await open_proposals(office)
    return person, int(proposal["sequence"])


async def test_a_certification_opens_the_restoration_of_the_suspension(
    office_db: Office,
) -> None:
    office = office_db
    store = office.client.app[STORE]
    person, item = await proposed(office)
    number = person["id_number"]
    (suspension,) = await outcomes(office, "suspension/v1")
    (proposal,) = await open_proposals(office)
    payload = proposal["payload"]
    assert (payload["type"], proposal["status"]) == ("restoration_proposal/v1", "received")
    assert payload["effective_from"] == month_day(-2).isoformat()
    assert payload["suspension"]["reason"] == "not_certified"
    assert payload["suspension"]["suspension"] == suspension["message_id"]
    assert payload["suspension"]["certified_on"] == today().isoformat()
    assert "task_id" not in payload or payload["task_id"] is None
    before = await office.ledger_size()  # staff restore a suspension with restoration/v1
    status, body = await office.post("/v1/restoration-proposals", "town-1", payload)
    assert (status, body["type"]) == (422, PROBLEM + "restoration-period-invalid"), body
    assert await office.ledger_size() == before

    await office.certified_in_app(person)  # again, the same cycle: no second proposal
    assert len(await outcomes(office, "restoration_proposal/v1")) == 1

    signed = await restoration_signed(office, item)
    assert signed["suspended_since"] == month_day(-2).isoformat()
    assert (signed["back_pay_from"], signed["back_pay_to"]) == (
        month_day(-2).isoformat(),
        month_end(-1).isoformat(),
    )
    assert signed["restore_from"] == month_day(0).isoformat()
    assert (signed["monthly_amount"], signed["back_pay_amount"]) == ("238.00", "476.00")
    assert [a["id"] for a in signed["approvals"]] == ["town-1", "county-1"]
    assert await store.counted_months(number, "back_paid") == {label(-2), label(-1)}
    assert await store.counted_months(number, "resumed") == {label(0)}
    assert await open_proposals(office) == []

    before = await office.ledger_size()
    again = back_paid_months(person, month_day(-2), -2, -1, "476.00")
    status, body = await office.post("/v1/restorations", "town-1", again)
    assert (status, body["type"]) == (409, PROBLEM + "months-already-counted"), body
    assert await office.ledger_size() == before
    await office.certified_in_app(person)  # restored: nothing to propose
    assert len(await outcomes(office, "restoration_proposal/v1")) == 1


async def test_staff_restoration_first_leaves_the_proposal_nothing_to_pay(
    office_db: Office,
) -> None:
    person, item = await proposed(office_db)
    office, number = office_db, person["id_number"]
    store = office.client.app[STORE]
    await office.approved(
        "restorations", "town-1", back_paid_months(person, month_day(-2), -2, -1, "476.00")
    )
    assert await store.counted_months(number, "back_paid") == {label(-2), label(-1)}
    assert (await office.decide("restoration-proposals", item, "town-1", "accept"))[0] == 202
    before = await office.ledger_size()
    status, body = await office.decide("restoration-proposals", item, "county-1", "approve")
    assert (status, body["type"]) == (409, PROBLEM + "months-already-counted"), body
    assert await office.ledger_size() == before
    assert (await office.decide("restoration-proposals", item, "county-1", "reject"))[0] == 202
    assert len(await outcomes(office, "restoration/v1")) == 0  # staff's is theirs, not the hub's
    await office.certified_in_app(person)
    assert await open_proposals(office) == []


async def test_a_death_task_open_holds_the_proposal(office_db: Office) -> None:
    office = office_db
    person = office.people.person()
    await suspended_by_the_hub(office, person)
    task = await office.reported_death(person, month_day(-1, 3))
    await office.certified_in_app(person)
    (proposal,) = await open_proposals(office)  # opened: proof of life the task may need
    item = proposal["sequence"]
    before = await office.ledger_size()
    status, body = await office.decide("restoration-proposals", item, "town-1", "accept")
    assert (status, body["type"]) == (409, PROBLEM + "restoration-verification-open"), body
    assert await office.ledger_size() == before
    status, body = await office.step(task["task_id"], "county-1", "cleared")
    assert status == 202, body
    assert (await restoration_signed(office, item))["back_pay_amount"] == "476.00"


async def test_no_proposal_while_the_hub_terminated_the_benefit(office_db: Office) -> None:
    office = office_db
    person = office.people.person()
    await suspended_by_the_hub(office, person)
    await office.confirmed_death(person, month_day(-1, 3))
    await office.certified_in_app(person)
    assert await open_proposals(office) == []
    assert await outcomes(office, "restoration_proposal/v1") == []


async def test_a_counter_certification_opens_it_at_the_county_approval(
    office_db: Office,
) -> None:
    person = office_db.people.person()
    await suspended_by_the_hub(office_db, person)
    item = await counter_certification(office_db, person)
    assert await open_proposals(office_db) == []  # under review: it does not count yet
    assert (await office_db.decide("certifications", item, "town-1", "accept"))[0] == 202
    assert (await office_db.decide("certifications", item, "county-1", "approve"))[0] == 202
    (proposal,) = await open_proposals(office_db)
    assert proposal["payload"]["effective_from"] == month_day(-2).isoformat()


async def test_a_death_confirmed_while_it_is_open_reads_terminated(office_db: Office) -> None:
    person, item = await proposed(office_db)
    await office_db.confirmed_death(person, month_day(0, 1))
    status, page = await office_db.get(
        "/v1/register/people", area=person["region"]["village"] or person["region"]["county"]
    )
    assert status == 200, page
    (entry,) = [e for e in page["items"] if e["person"]["id_number"] == person["id_number"]]
    assert entry["status"] == "terminated"  # the open proposal restores no termination
    before = await office_db.ledger_size()
    status, body = await office_db.decide("restoration-proposals", item, "town-1", "accept")
    assert (status, body["type"]) == (409, PROBLEM + "restoration-not-suspended"), body
    assert await office_db.ledger_size() == before
