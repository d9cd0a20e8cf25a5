"""Every procedure rule refuses through HTTP with its own problem type; nothing is stored."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import Any

import pytest
from procedurekit import (
    Office,
    counter_event,
    evidence_payloads,
    roster_entry,
    sent_in_time,
    trust_store,
)

from certhub.hub.core.keys import TRUST

PROBLEM = "urn:certhub:problem:"


async def report_item(office: Office, **changes: Any) -> int:
    status, body = await office.post(
        "/v1/reports", "city", office.people.eligibility_report() | changes
    )
    assert status == 202, body
    return int(body["sequence"])


async def assisted_certification(office: Office) -> int:
    digests = [await office.upload(evidence_payloads()[k], "image/png") for k in ("id", "photo")]
    event = counter_event(office.people.person(), *digests)
    status, body = await office.post("/v1/certifications", "channel", event)
    assert status == 202, body
    return int(body["sequence"])


async def refused(
    office: Office, expected: tuple[int, str], request: Awaitable[tuple[int, dict[str, Any]]]
) -> None:
    """Send ``request``: it is refused with ``expected`` (status, problem) and stores nothing."""
    before = await office.ledger_size()
    status, body = await request
    assert (status, body.get("type")) == (expected[0], PROBLEM + expected[1]), body
    assert await office.ledger_size() == before


@pytest.mark.parametrize(
    ("accepted_by", "approver", "refusal"),
    [
        pytest.param("county-1", "county-1", (403, "same-actor"), id="same-actor-accepts-approves"),
        pytest.param("town-1", "town-2", (403, "county-approval-required"), id="town-approves"),
        pytest.param(None, "county-1", (409, "decision-out-of-order"), id="approve-before-accept"),
    ],
)
async def test_an_approval_against_the_two_level_review_is_refused(
    office: Office, accepted_by: str | None, approver: str, refusal: tuple[int, str]
) -> None:
    item = await report_item(office)
    if accepted_by is not None:
        await office.decide("reports", item, accepted_by, "accept")
    await refused(office, refusal, office.decide("reports", item, approver, "approve"))


async def test_deciding_an_approved_report_again_is_out_of_order(office: Office) -> None:
    item = await report_item(office)
    await office.decide("reports", item, "town-1", "accept")
    await office.decide("reports", item, "county-1", "approve")
    await refused(
        office, (409, "decision-out-of-order"), office.decide("reports", item, "county-2", "reject")
    )


async def test_benefit_determiners_may_not_certify(office: Office) -> None:
    item = await assisted_certification(office)
    await refused(
        office,
        (403, "determiner-may-not-certify"),
        office.decide("certifications", item, "det-1", "accept"),
    )


async def test_a_forged_role_is_refused(office: Office) -> None:
    item = await report_item(office)
    await office.decide("reports", item, "county-1", "accept")
    forged = office.decide("reports", item, "town-1", "approve", role="county_reviewer")
    await refused(office, (403, "forged-role"), forged)
    impersonated = office.decide(
        "reports", item, "town-1", "approve", actor={"id": "county-2", "role": "county_reviewer"}
    )
    await refused(office, (403, "forged-role"), impersonated)


async def test_a_decision_must_name_the_item_in_the_url(office: Office) -> None:
    item = await report_item(office)
    await refused(
        office,
        (400, "subject-mismatch"),
        office.decide("reports", item, "town-1", "accept", subject_id=str(item + 1)),
    )
    await refused(
        office, (404, "item-not-found"), office.decide("certifications", item, "town-1", "accept")
    )


async def test_approved_certification_sends_the_pensioner_an_sms(office: Office) -> None:
    from procedurekit import PARTIES  # noqa: F401 - the parties' roles drive the decisions

    from certhub.hub.core.keys import NOTICE_SENDER

    item = await assisted_certification(office)
    await office.decide("certifications", item, "town-1", "accept")
    assert (await office.decide("certifications", item, "county-1", "approve"))[0] == 202
    # not drain(): the approval woke the relay, which may have claimed the SMS already
    sent = office.client.app[NOTICE_SENDER].sent  # type: ignore[attr-defined]
    assert "审核通过" in await sent_in_time(sent, f"certification:{item}")


async def test_a_zero_report_beside_real_reports_is_refused(office: Office) -> None:
    report = office.people.eligibility_report()
    await office.post("/v1/reports", "city", report)
    zero = {
        "type": "zero_report/v1",
        "reporter": report["reporter"],
        "region": report["region"],
        "period": datetime.now(UTC).astimezone().strftime("%Y-%m"),
        "count": 0,
    }
    await refused(office, (409, "zero-report-conflict"), office.post("/v1/reports", "city", zero))


async def test_a_zero_report_for_a_future_period_is_refused(office: Office) -> None:
    zero = office.people.zero_report("2999-01")
    await refused(office, (422, "schema-violation"), office.post("/v1/reports", "city", zero))


async def test_a_reference_to_missing_evidence_is_refused(office: Office) -> None:
    evidence = [{"sha256": "ab" * 32, "kind": "death_certificate", "media_type": "application/pdf"}]
    result = office.post(
        "/v1/reports", "city", office.people.eligibility_report() | {"evidence": evidence}
    )
    await refused(office, (422, "evidence-missing"), result)


async def test_a_counter_certification_without_evidence_is_refused(office: Office) -> None:
    event = {
        "type": "certification_event/v1",
        "person": office.people.person(),
        "method": "home_visit",
        "channel": {"kind": "home_visit"},
        "outcome": "certified",
        "occurred_at": datetime.now(UTC).isoformat(),
        "operator": {"id": "town-1", "role": "town_staff"},
    }
    await refused(
        office, (422, "schema-violation"), office.post("/v1/certifications", "channel", event)
    )


async def test_only_the_provincial_system_maintains_the_roster(office: Office) -> None:
    entry = roster_entry(
        office.people.person(), paid_through="2024-01", bank_account_on_file="****1234"
    )
    await refused(office, (403, "type-not-allowed"), office.post("/v1/roster", "town-1", entry))
    # and a key that may send roster entries but is not the provincial system's is refused too
    store = trust_store(office.keys).add(
        office.keys["town-2"].public_jwk(),
        sender="town-2",
        may_send=["benefit_record/v1", "decision/v1"],
        may_read=False,
        role="town_staff",
    )
    store.save(office.settings.trust_store_path)
    office.client.app[TRUST].reload_if_changed()
    await refused(office, (403, "role-not-permitted"), office.post("/v1/roster", "town-2", entry))


@pytest.mark.parametrize("to", ["confirmed", "cleared"])
async def test_task_steps_out_of_order_are_refused(office: Office, to: str) -> None:
    item = await report_item(office, reason="imprisonment")
    await office.decide("reports", item, "town-1", "accept")
    await office.decide("reports", item, "county-1", "approve")
    _, page = await office.get("/v1/verification-tasks")
    task_id = page["items"][0]["task_id"]
    assert (await office.step(task_id, "county-1", to))[0] == 202
    await refused(
        office, (409, "task-transition-invalid"), office.step(task_id, "county-1", "in_progress")
    )
    await refused(office, (404, "task-not-found"), office.step("task-nope", "county-1", "cleared"))


async def test_a_second_report_joins_the_open_task(office: Office) -> None:
    person = office.people.person()
    items = [
        await report_item(office, person=person, reason="missing", remarks="x") for _ in range(2)
    ]
    for item in items:
        await office.decide("reports", item, "town-1", "accept")
        await office.decide("reports", item, "county-1", "approve")
    _, page = await office.get("/v1/verification-tasks", status="open")
    (task,) = page["items"]
    assert task["sources"] == [str(i) for i in items]
