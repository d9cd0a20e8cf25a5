"""Recovering an overpayment through the HTTP API, as a county agency would.

A death confirmed three months after it happened leaves 3 × 238.00 = 714.00
overpaid. County staff record what comes back (a bank reversal, the family),
ask for the rest to be written off, and two other people decide; every step
is fed back to the provincial system as the overpayment re-signed by the hub.
The figures are fixed in the test, not computed by the code under test.
"""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime
from typing import Any

import pytest
from procedurekit import Office, recovery, write_off

from certhub.hub.problems import ALL_PROBLEMS
from certhub.schemas import problem_type_uri
from certhub.schemas.clock import CHINA_STANDARD_TIME
from certhub.security import VerifyingKey, parse_compact


def _today() -> date:
    return datetime.now(CHINA_STANDARD_TIME).date()


def months_ago(n: int) -> date:
    index = _today().year * 12 + _today().month - 1 - n
    return date(index // 12, index % 12 + 1, 15)


async def overpaid_task(office: Office) -> str:
    """A death three months ago, confirmed today: 714.00 overpaid; the task id."""
    person = office.people.person()
    await office.roster(person, paid_through=_today().strftime("%Y-%m"))
    return await office.confirmed_death(person, months_ago(3))


async def balance(office: Office, task_id: str) -> dict[str, Any]:
    status, body = await office.get(f"/v1/overpayments/{task_id}")
    assert status == 200, body
    return body


async def fed_back(office: Office, task_id: str) -> list[dict[str, Any]]:
    """The hub-signed overpayment records of the task in the provincial pull, each verified."""
    _, page = await office.get("/v1/outcomes", limit="1000")
    jwks = await (await office.client.get("/.well-known/jwks.json")).json()
    keys = {jwk["kid"]: VerifyingKey.from_jwk(jwk) for jwk in jwks["keys"]}
    found = []
    for item in page["items"]:
        if item["type"] == "overpayment/v1" and item["payload"]["task_id"] == task_id:
            jws = parse_compact(item["jws"].encode())
            assert keys[jws.kid].verify(jws.signature, jws.signing_input)
            found.append(item | {"payload": json.loads(jws.payload)})
    return found


async def refused(
    office: Office, path: str, party: str, payload: dict[str, Any], slug: str
) -> None:
    before = await office.ledger_size()
    status, body = await office.post(path, party, payload)
    assert body["type"] == problem_type_uri(slug), body
    assert status == ALL_PROBLEMS[slug][0]
    assert await office.ledger_size() == before


async def test_recovered_in_part_then_the_rest_written_off_by_two_other_people(
    office: Office,
) -> None:
    task = await overpaid_task(office)
    start = await balance(office, task)
    assert (start["amount"], start["recovered"], start["remaining"]) == ("714.00", "0.00", "714.00")
    assert start["status"] == "pending"
    assert start["recoveries"] == []

    path = f"/v1/overpayments/{task}/recoveries"
    status, receipt = await office.post(path, "det-1", recovery(task, "238.00", reference="BR-1"))
    assert status == 202, receipt
    now = await balance(office, task)
    assert (now["recovered"], now["remaining"], now["status"]) == (
        "238.00",
        "476.00",
        "partially_recovered",
    )
    assert now["recoveries"] == [
        {
            "record": receipt["sequence"],
            "amount": "238.00",
            "source": "bank_reversal",
            "recovered_on": _today().isoformat(),
            "reference": "BR-1",
        }
    ]
    original, partial = await fed_back(office, task)
    assert original["message_id"] == f"overpayment:{task}"
    assert partial["message_id"] == f"overpayment:{task}:r23800"
    assert partial["payload"]["recovered_amount"] == "238.00"
    assert partial["payload"]["recovery_status"] == "partially_recovered"
    assert partial["payload"]["amount"] == "714.00"

    await refused(office, path, "det-1", recovery(task, "476.01"), "recovery-exceeds-balance")
    await refused(
        office, path, "det-1", recovery(task, "1.00", reference="BR-1"), "recovery-already-recorded"
    )
    await refused(office, path, "town-1", recovery(task, "1.00", "town-1"), "role-not-permitted")
    early = recovery(task, "1.00", recovered_on=months_ago(5).isoformat())
    await refused(office, path, "det-1", early, "recovery-date-invalid")

    offs = f"/v1/overpayments/{task}/write-offs"
    await refused(office, offs, "det-1", write_off(task, "400.00"), "write-off-amount-mismatch")
    status, request = await office.post(offs, "det-1", write_off(task, "476.00"))
    assert status == 202, request
    item = request["sequence"]
    await refused(
        office, offs, "county-2", write_off(task, "476.00", "county-2"), "write-off-pending"
    )
    assert (await balance(office, task))["write_off_request"] == item

    assert (await office.decide("write-offs", item, "town-1", "accept"))[0] == 202
    status, body = await office.decide("write-offs", item, "det-1", "approve")
    assert body["type"].endswith(":county-approval-required"), body
    status, body = await office.decide("write-offs", item, "county-1", "approve")
    assert status == 202, body

    done = await balance(office, task)
    assert (done["recovered"], done["remaining"], done["written_off"], done["status"]) == (
        "238.00",
        "0.00",
        "476.00",
        "written_off",
    )
    assert done["write_off_request"] is None
    *_, last = await fed_back(office, task)
    assert last["message_id"] == f"overpayment:{task}:written-off"
    assert last["payload"]["recovery_status"] == "written_off"
    assert last["payload"]["recovered_amount"] == "238.00"
    await refused(office, path, "det-1", recovery(task, "1.00"), "overpayment-settled")


async def test_fully_recovered_in_two_sums_and_never_beyond(office: Office) -> None:
    task = await overpaid_task(office)
    path = f"/v1/overpayments/{task}/recoveries"
    family = recovery(task, "700.00", "county-1", source="family")
    assert (await office.post(path, "county-1", family))[0] == 202
    assert (await office.post(path, "det-1", recovery(task, "14.00")))[0] == 202
    done = await balance(office, task)
    assert (done["recovered"], done["remaining"], done["status"]) == ("714.00", "0.00", "recovered")
    *_, last = await fed_back(office, task)
    assert last["message_id"] == f"overpayment:{task}:r71400"
    assert last["payload"]["recovery_status"] == "recovered"
    await refused(office, path, "det-1", recovery(task, "0.01"), "overpayment-settled")
    status, page = await office.get("/v1/overpayments", status="recovered")
    assert status == 200
    assert [row["task_id"] for row in page["items"]] == [task]


async def test_a_write_off_asked_for_before_money_came_in_cannot_be_approved(
    office: Office,
) -> None:
    task = await overpaid_task(office)
    offs = f"/v1/overpayments/{task}/write-offs"
    status, request = await office.post(offs, "county-1", write_off(task, "714.00", "county-1"))
    assert status == 202, request
    item = request["sequence"]
    path = f"/v1/overpayments/{task}/recoveries"
    assert (await office.post(path, "det-1", recovery(task, "100.00")))[0] == 202
    status, body = await office.decide("write-offs", item, "county-1", "accept")
    assert body["type"].endswith(":same-actor"), body  # the requester decides nothing of it
    assert (await office.decide("write-offs", item, "town-1", "accept"))[0] == 202
    status, body = await office.decide("write-offs", item, "county-1", "approve")
    assert body["type"].endswith(":same-actor"), body
    status, body = await office.decide("write-offs", item, "county-2", "approve")
    assert body["type"].endswith(":write-off-stale"), body
    assert (await balance(office, task))["status"] == "partially_recovered"
    assert (await office.decide("write-offs", item, "county-2", "reject"))[0] == 202
    status, again = await office.post(offs, "det-1", write_off(task, "614.00"))
    assert status == 202, again


async def test_two_sums_recorded_at_once_cannot_both_fit_one_balance(office: Office) -> None:
    task = await overpaid_task(office)
    path = f"/v1/overpayments/{task}/recoveries"
    results = await asyncio.gather(
        *(office.post(path, "det-1", recovery(task, "400.00", reference=f"R{n}")) for n in (1, 2))
    )
    statuses = sorted(status for status, _ in results)
    assert statuses[0] == 202
    assert statuses[1] == 409, results
    assert (await balance(office, task))["recovered"] == "400.00"


@pytest.mark.parametrize("task_id", ["no-such-task", "x" * 129, "a%2Fb"])
async def test_no_overpayment_no_recovery(office: Office, task_id: str) -> None:
    status, body = await office.get(f"/v1/overpayments/{task_id}")
    assert status == 404, body
    if len(task_id) <= 128 and "%" not in task_id:
        path = f"/v1/overpayments/{task_id}/recoveries"
        await refused(office, path, "det-1", recovery(task_id, "1.00"), "overpayment-not-found")


async def test_a_recovery_cannot_be_recorded_against_another_task(office: Office) -> None:
    task = await overpaid_task(office)
    path = f"/v1/overpayments/{task}/recoveries"
    await refused(office, path, "det-1", recovery("other-task", "1.00"), "subject-mismatch")
    assert (await balance(office, task))["recovered"] == "0.00"
