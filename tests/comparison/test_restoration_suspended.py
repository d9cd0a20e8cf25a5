"""Issue 17: a voided termination whose roster entry the province meanwhile suspended.

Civil affairs records a false cremation in ``DIED_IN`` (on ``DIED``), the
county confirms the death (the roster active, paid through ``DIED_IN``), the
province suspends the benefit, civil affairs voids the record in ``VOIDED_IN``
and the comparison proposes the restoration, decided this month. The
suspension is lifted with the closure only when nothing else the hub knows
explains it: one that began before the termination took effect, a person
overdue for certification are each refused with ``restoration-other-suspension``
(a verification task still open, ``restoration-verification-open``, whatever the
roster says) by the proposal and by staff's own ``restoration/v1`` alike, storing
nothing. Lifted, the one unpaid month is
``VOIDED_IN`` (238.00), back-paid once whichever way.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from procedurekit import Office
from reminderkit import delivered
from reversalkit import (
    DIED,
    DIED_IN,
    THIS_MONTH,
    VOIDED_IN,
    Scene,
    approved,
    audited,
    held_open,
    last_day,
    listed,
    outcomes,
    proposals,
    proposed,
    refused,
    voided_restoration,
)

from certhub.hub.core.keys import STORE

OTHER_SUSPENSION = "restoration-other-suspension"


async def suspended_by_province(office: Office, person: dict[str, Any], since: str) -> None:
    await office.roster(person, status="suspended", suspended_since=since, paid_through=DIED_IN)


async def test_the_proposal_lifts_a_suspension_only_the_voided_termination_explains(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    office, person, task, hubs = await proposed(tmp_path, aiohttp_client)
    number, item, store = person["id_number"], hubs["sequence"], office.client.app[STORE]
    # certified 13 months before this month: due last month, overdue now
    long_ago = datetime.now(UTC).replace(day=15) - timedelta(days=396)
    await office.certified_in_app(person, long_ago.isoformat())
    await suspended_by_province(office, person, (DIED - timedelta(days=1)).isoformat())
    await held_open(office, person, item, task, "before the termination", slug=OTHER_SUSPENSION)

    # the province's suspension dates from the termination's effect: overdue still refuses
    await suspended_by_province(office, person, DIED.isoformat())
    await held_open(office, person, item, task, "overdue for certification", slug=OTHER_SUSPENSION)

    await office.certified_in_app(person)  # certified today: due in 12 months
    status, body = await approved(office, item)
    assert status == 202, body
    assert await store.closed_benefit(number) is None
    assert await audited(office, "closure_lifted") == [task]
    (signed,) = await outcomes(office, "restoration/v1")
    payload = signed["payload"]
    assert (payload["suspended_since"], payload["back_pay_from"], payload["back_pay_to"]) == (
        DIED.isoformat(), f"{VOIDED_IN}-01", last_day(VOIDED_IN)
    )  # fmt: skip
    assert (payload["back_pay_amount"], payload["monthly_amount"]) == ("238.00", "238.00")
    assert await store.counted_months(number, "back_paid") == {VOIDED_IN}

    # the roster still says suspended until the province's next one: the month is paid once
    again = office.post("/v1/restorations", "town-1", voided_restoration(person))
    await refused(office, again, 409, "months-already-counted")
    # and the province pays from the decision's month on: never back pay too
    resumed = voided_restoration(person) | {
        "back_pay_from": f"{THIS_MONTH}-01", "back_pay_to": last_day(THIS_MONTH),
        "restore_from": (date.fromisoformat(last_day(THIS_MONTH)) + timedelta(days=1)).isoformat(),
    }  # fmt: skip
    filed = office.post("/v1/restorations", "town-1", resumed)
    body = await refused(office, filed, 409, "months-already-counted")
    assert f"resumed payment in {THIS_MONTH}" in body["detail"], body
    await office.client.close()


async def death_beside(
    tmp_path: Path, aiohttp_client: Any, reason: str, day: date
) -> tuple[Scene, Office, dict[str, Any], str, dict[str, Any]]:
    """One person's false death compared in ``DIED_IN``; a report of ``reason`` on ``day``
    opens a task apart; then the county confirms the comparison's death task (the roster
    paid through ``DIED_IN``): (the scene, an open office, the person, the death task's
    id, the task apart)."""
    scene, person, number = await Scene.recorded(tmp_path)
    office = await scene.office(aiohttp_client)
    apart = await office.reported_death(person, day, reason=reason)
    death = (await scene.confirmed_deaths(office))[number]  # the roster paid through DIED_IN
    return scene, office, person, death, apart


async def test_staff_lift_it_once_no_verification_is_open(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    scene, office, person, death, missing = await death_beside(
        tmp_path, aiohttp_client, "missing", DIED
    )
    number = person["id_number"]
    await office.client.close()
    assert (await scene.compare(VOIDED_IN))["reversals"] == {"restoration_proposed": 1}

    office = await scene.office(aiohttp_client)
    store = office.client.app[STORE]
    item = (await proposals(office))[number]["sequence"]
    assert (await office.decide("restoration-proposals", item, "town-1", "reject"))[0] == 202
    await delivered(office)  # the family's SMS the rejection leaves, before counting
    await suspended_by_province(office, person, DIED.isoformat())
    filed = office.post("/v1/restorations", "town-1", voided_restoration(person))
    body = await refused(office, filed, 409, "restoration-verification-open")
    assert f"missing {missing['task_id']}" in body["detail"], body

    for party, step in (("town-1", "in_progress"), ("county-1", "cleared")):
        status, body = await office.step(missing["task_id"], party, step)
        assert status == 202, body
    status, body = await office.post("/v1/restorations", "town-1", voided_restoration(person))
    assert status == 202, body
    filed = body["sequence"]
    assert (await office.decide("restorations", filed, "town-1", "accept"))[0] == 202
    status, body = await office.decide("restorations", filed, "county-1", "approve")
    assert status == 202, body
    assert await store.closed_benefit(number) is None
    assert await audited(office, "closure_lifted") == [death]
    assert await store.counted_months(number, "back_paid") == {VOIDED_IN}
    await office.client.close()


def staff_proposal(proposal: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """Staff's own ``restoration_proposal/v1``, restating the hub's ``proposal``."""
    keep = ("person", "task_id", "reason", "event_date", "effective_from", "withdrawn")
    return {
        "type": "restoration_proposal/v1",
        **{name: proposal[name] for name in keep},
        "proposed_at": datetime.now(UTC).isoformat(),
        "remarks": "驳回有误, 重新提出",
    } | changes


async def test_staff_lift_a_closure_with_no_month_to_back_pay_by_their_own_proposal(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    office, person, task, hubs = await proposed(tmp_path, aiohttp_client, THIS_MONTH)
    number, store = person["id_number"], office.client.app[STORE]
    await office.roster(person, paid_through=THIS_MONTH)  # the province never stopped paying
    own = office.post("/v1/restoration-proposals", "town-1", staff_proposal(hubs["payload"]))
    await refused(office, own, 409, "conflict")  # decide the hub's first
    assert (await office.decide("restoration-proposals", hubs["sequence"], "town-1", "reject"))[
        0
    ] == 202
    await delivered(office)  # the family's SMS (the first, or the one queued again) now

    # staff's restoration/v1 needs a month to back-pay: every month is paid
    filed = office.post("/v1/restorations", "town-1", voided_restoration(person))
    await refused(office, filed, 422, "restoration-period-invalid")
    wrong = staff_proposal(
        hubs["payload"], effective_from=f"{DIED_IN}-01", event_date=f"{DIED_IN}-01"
    )
    own = office.post("/v1/restoration-proposals", "town-1", wrong)
    await refused(office, own, 422, "restoration-period-invalid")

    status, body = await office.post(
        "/v1/restoration-proposals", "town-1", staff_proposal(hubs["payload"])
    )
    assert status == 202, body
    item = int(body["sequence"])
    assert (item, "received") in await listed(office, status="open")
    status, body = await approved(office, item)
    assert status == 202, body
    assert await store.closed_benefit(number) is None
    assert await audited(office, "closure_lifted") == [task]
    assert await outcomes(office, "restoration/v1") == []  # no money message
    # none back-paid: the months the voided overpayment counted are claimed as paid
    assert await store.counted_months(number, "back_paid") == {VOIDED_IN, THIS_MONTH}
    _, signed = await office.get(f"/v1/verification-tasks/{task}")
    assert "no month unpaid, no back pay" in signed["remarks"], signed
    assert f"restoration proposal {item} approved by county-1" in signed["remarks"], signed
    status, page = await office.get("/v1/restorations")  # the province reads staff's filing
    assert status == 200, page
    assert [p["type"] for p in page["items"]] == ["restoration_proposal/v1"]

    # done: nothing of the hub's is left to restore
    own = office.post("/v1/restoration-proposals", "town-1", staff_proposal(hubs["payload"]))
    await refused(office, own, 409, "restoration-not-suspended")
    await office.client.close()


async def test_staff_s_own_proposal_back_pays_the_month_unpaid_in_their_name(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    office, person, _, hubs = await proposed(tmp_path, aiohttp_client)  # VOIDED_IN unpaid
    number = person["id_number"]
    status, body = await office.decide(
        "restoration-proposals", hubs["sequence"], "town-1", "reject"
    )
    assert status == 202, body
    status, body = await office.post(
        "/v1/restoration-proposals", "town-2", staff_proposal(hubs["payload"])
    )
    assert status == 202, body
    item = int(body["sequence"])
    status, body = await approved(office, item)
    assert status == 202, body
    (signed,) = await outcomes(office, "restoration/v1")
    payload = signed["payload"]
    assert signed["message_id"] == f"restoration:proposal:{item}"
    requested = payload["requested_by"]
    assert (requested["id"], requested["role"]) == ("town-2", "town_staff")
    assert [a["id"] for a in payload["approvals"]] == ["town-1", "county-1"]
    assert (payload["back_pay_from"], payload["back_pay_to"], payload["back_pay_amount"]) == (
        f"{VOIDED_IN}-01", last_day(VOIDED_IN), "238.00"
    )  # fmt: skip
    assert await office.client.app[STORE].counted_months(number, "back_paid") == {VOIDED_IN}
    await office.client.close()
