"""Issue 13: every path that pays, restores or recovers wrongly is closed, through the HTTP API."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from procedurekit import Office, evidence_payloads, restoration, today, trust_store
from procedurekit import counter_event as procedure_counter_event

from certhub.hub.core.keys import PROCEDURE, TRUST
from certhub.hub.rules.months import first_of_next_month, month_index
from certhub.security import SigningKey

PROBLEM = "urn:certhub:problem:"


async def refused(
    office: Office, expected: tuple[int, str], request: Awaitable[tuple[int, Any]]
) -> None:
    """``request``, sent now, answers ``expected`` (status, problem slug) and stores nothing."""
    before = await office.ledger_size()
    status, body = await request
    assert (status, body.get("type")) == (expected[0], PROBLEM + expected[1]), body
    assert await office.ledger_size() == before


async def suspended_and_requested(office: Office, days: int) -> tuple[dict[str, Any], date, int]:
    """A person suspended ``days`` ago whose restoration town staff requested and accepted."""
    person = office.people.person()
    since = today() - timedelta(days=days)
    await office.suspended(person, since)
    item = await office.accepted("restorations", "town-1", restoration(person, since))
    return person, since, item


async def test_a_person_not_on_the_roster_is_not_restored(office: Office) -> None:
    person = office.people.person()
    payload = restoration(person, today() - timedelta(days=200))
    await refused(
        office,
        (409, "restoration-no-roster"),
        office.post("/v1/restorations", "town-1", payload),
    )


@pytest.mark.parametrize(("days", "county_may_approve"), [(365, True), (366, False)])
async def test_the_year_runs_from_the_rosters_suspension_to_the_decision_day(
    office: Office, days: int, county_may_approve: bool
) -> None:
    _, _, item = await suspended_and_requested(office, days)
    status, body = await office.decide("restorations", item, "county-1", "approve")
    if county_may_approve:
        assert status == 202, body
    else:
        assert (status, body["type"]) == (403, PROBLEM + "municipal-approval-required")
        assert (await office.decide("restorations", item, "muni-1", "approve"))[0] == 202


async def test_a_backdated_restore_from_does_not_avoid_the_municipal_approver(
    office: Office,
) -> None:
    person = office.people.person()
    since = today() - timedelta(days=460)  # 15 months
    await office.suspended(person, since)
    payload = restoration(person, since)
    start = date.fromisoformat(payload["back_pay_from"])
    short = first_of_next_month(start + timedelta(days=190))  # looks like 7 months
    months = month_index(short) - month_index(start)
    payload |= {
        "restore_from": short.isoformat(),
        "back_pay_to": (short - timedelta(days=1)).isoformat(),
        "back_pay_amount": str(Decimal("238.00") * months),
    }
    item = await office.accepted("restorations", "town-1", payload)
    await refused(
        office,
        (403, "municipal-approval-required"),
        office.decide("restorations", item, "county-1", "approve"),
    )


async def test_a_day_passing_between_request_and_approval_is_counted(office: Office) -> None:
    _, _, item = await suspended_and_requested(office, 365)
    ctx = office.client.app[PROCEDURE]
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    object.__setattr__(ctx, "clock", lambda: tomorrow)  # the hub's clock moves on a day
    await refused(
        office,
        (403, "municipal-approval-required"),
        office.decide("restorations", item, "county-1", "approve"),
    )


@pytest.mark.parametrize(("days", "approver"), [(120, "county-1"), (500, "muni-1")])
async def test_an_approval_on_stale_roster_facts_is_refused(
    office: Office, days: int, approver: str
) -> None:
    person, since, item = await suspended_and_requested(office, days)
    await office.roster(
        person,
        status="suspended",
        suspended_since=since.isoformat(),
        paid_through=since.strftime("%Y-%m"),
        monthly_amount="250.00",
    )
    await refused(
        office,
        (422, "restoration-amount-mismatch"),
        office.decide("restorations", item, approver, "approve"),
    )


async def test_back_pay_months_are_paid_by_one_restoration_only(office: Office) -> None:
    person, since, first = await suspended_and_requested(office, 120)
    again = restoration(person, since, requested_at=datetime.now(UTC).isoformat())
    await refused(
        office,
        (409, "months-already-counted"),
        office.post(
            "/v1/restorations",
            "town-2",
            again | {"requested_by": {"id": "town-2", "role": "town_staff"}},
        ),
    )
    assert (await office.decide("restorations", first, "county-1", "reject"))[0] == 202
    status, body = await office.post(
        "/v1/restorations",
        "town-2",
        again | {"requested_by": {"id": "town-2", "role": "town_staff"}},
    )
    assert status == 202, body  # a rejected request paid nothing: its months are free again


async def death_case(
    office: Office, person: dict[str, Any], died: date, reason: str = "death"
) -> str:
    """Report, accept, approve; the task id it opened."""
    report = office.people.eligibility_report() | {
        "reason": reason, "person": person, "event_date": died.isoformat(),
        "region": person["region"],
    }  # fmt: skip
    item = await office.approved_report(report)
    _, task = await office.get(f"/v1/verification-tasks/task-{item}")
    return str(task["task_id"]) if "task_id" in task else ""


async def money_outcomes(office: Office) -> tuple[int, list[dict[str, Any]]]:
    _, page = await office.get("/v1/outcomes", limit="200")
    items = page["items"]
    terminations = sum(1 for i in items if i["type"] == "termination/v1")
    return terminations, [i["payload"] for i in items if i["type"] == "overpayment/v1"]


async def test_a_terminated_benefit_is_recovered_once_whatever_is_reported_later(
    office: Office,
) -> None:
    person = office.people.person()
    await office.roster(person)
    died = today() - timedelta(days=95)
    first = await death_case(office, person, died)
    jailed = await death_case(office, person, died - timedelta(days=40), "imprisonment")
    assert (await office.step(first, "county-1", "confirmed", event_date=died.isoformat()))[
        0
    ] == 202
    terminations, overpayments = await money_outcomes(office)
    assert terminations == 1
    assert len(overpayments) == 1

    # the task opened before the termination is confirmed: it terminates nothing again and
    # recovers no month twice, only the months paid in prison up to the death's month
    # (test_jailed_before_death.py), counted here apart from the hub's month arithmetic
    status, body = await office.step(jailed, "county-1", "confirmed")
    assert status == 202, body
    jail_day = died - timedelta(days=40)
    prison = (died.year * 12 + died.month) - (jail_day.year * 12 + jail_day.month)
    terminations, overpayments = await money_outcomes(office)
    (added,) = [o for o in overpayments if o["task_id"] == jailed]
    assert (added["months"], added["amount"]) == (prison, str(Decimal("238.00") * prison))
    assert added["period_to"][:7] == died.strftime("%Y-%m")
    assert (terminations, len(overpayments)) == (1, 2)
    # a later report of the same death opens no task at all
    assert await death_case(office, person, died) == ""
    await office.roster(person, status="terminated")
    assert await death_case(office, person, died - timedelta(days=3)) == ""
    assert await money_outcomes(office) == (terminations, overpayments)
    _, tasks = await office.get("/v1/verification-tasks", status="open")
    assert [t for t in tasks["items"] if t["person"]["id_number"] == person["id_number"]] == []


async def test_a_person_whose_death_the_hub_confirmed_is_never_restored(office: Office) -> None:
    person = office.people.person()
    await office.roster(person)
    died = today() - timedelta(days=95)
    task = await death_case(office, person, died)
    assert (await office.step(task, "county-1", "confirmed", event_date=died.isoformat()))[0] == 202
    since = died + timedelta(days=1)
    await office.suspended(person, since)  # the roster, wrongly, says only suspended
    await refused(
        office,
        (409, "restoration-not-suspended"),
        office.post("/v1/restorations", "town-1", restoration(person, since)),
    )


async def test_a_confirmation_dated_just_before_the_task_opened_is_no_crash(
    office: Office,
) -> None:
    person = office.people.person()
    await office.roster(person)
    task = await death_case(office, person, today() - timedelta(days=10))
    _, body = await office.get(f"/v1/verification-tasks/{task}")
    opened = datetime.fromisoformat(body["opened_at"])
    early = (opened - timedelta(seconds=2)).replace(microsecond=0)
    status, body = await office.step(task, "county-1", "confirmed", at=early.isoformat())
    assert status == 202, body
    _, body = await office.get(f"/v1/verification-tasks/{task}")
    assert datetime.fromisoformat(body["resolved_at"]) == opened
    # an hour before it opened is no clock skew: refused, never a 500
    task2 = await death_case(office, office.people.person(), today() - timedelta(days=10))
    await refused(
        office,
        (409, "task-transition-invalid"),
        office.step(task2, "county-1", "cleared", at=(opened - timedelta(hours=1)).isoformat()),
    )


def counter_event(office: Office, digests: list[str], **changes: Any) -> dict[str, Any]:
    return procedure_counter_event(office.people.person(), *digests[:2]) | changes


def with_parties(office: Office, **extra: tuple[str, list[str]]) -> None:
    """Add parties (sender -> (role, may_send)) with fresh keys, and reload the trust store."""
    store = trust_store(office.keys)
    for sender, (role, may_send) in extra.items():
        office.keys[sender] = SigningKey.generate()
        store = store.add(
            office.keys[sender].public_jwk(), sender=sender, may_send=may_send, role=role
        )
    store.save(office.settings.trust_store_path)
    office.client.app[TRUST].reload_if_changed()


async def uploaded(office: Office) -> list[str]:
    return [await office.upload(evidence_payloads()[k], "image/png") for k in ("id", "photo")]


async def test_benefit_determiners_do_not_certify(office: Office) -> None:
    with_parties(office, **{"det-2": ("benefit_determiner", ["certification_event/v1"])})
    digests = await uploaded(office)
    operated = counter_event(
        office, digests, operator={"id": "det-1", "role": "benefit_determiner"}
    )
    disguised = counter_event(office, digests, operator={"id": "det-1", "role": "town_staff"})
    face = counter_event(office, digests, method="face", operator=None, evidence=[])
    for sender, event in (("channel", operated), ("channel", disguised), ("det-2", face)):
        await refused(
            office,
            (403, "determiner-may-not-certify"),
            office.post("/v1/certifications", sender, event),
        )
    stranger = counter_event(office, digests, operator={"id": "someone", "role": "town_staff"})
    await refused(
        office, (403, "forged-role"), office.post("/v1/certifications", "channel", stranger)
    )


async def test_a_department_counter_certification_needs_stored_evidence(office: Office) -> None:
    with_parties(office, dept=("department", ["certification_event/v1"]))
    event = counter_event(office, ["a" * 64, "b" * 64])
    await refused(
        office, (422, "evidence-missing"), office.post("/v1/certifications", "dept", event)
    )


async def test_one_photo_certifies_one_person(office: Office) -> None:
    digests = await uploaded(office)
    status, body = await office.post(
        "/v1/certifications", "channel", counter_event(office, digests)
    )
    assert status == 202, body
    again = counter_event(office, digests)  # another person, the same ID image and photo
    await refused(
        office,
        (409, "evidence-other-person"),
        office.post("/v1/certifications", "channel", again),
    )


async def test_the_reporter_is_the_signer_or_a_collector_without_a_key(office: Office) -> None:
    with_parties(office, **{"coord-9": ("coordinator", ["eligibility_report/v1"])})
    report = office.people.eligibility_report()
    await refused(office, (403, "forged-role"), office.post("/v1/reports", "coord-9", report))
    own = report | {"reporter": {"id": "coord-9", "role": "coordinator"}}
    assert (await office.post("/v1/reports", "coord-9", own))[0] == 202
    # a relaying system may not register a report in the name of a keyed party or a reviewer
    for reporter in (
        {"id": "coord-9", "role": "coordinator"},
        {"id": "x-1", "role": "county_reviewer"},
    ):
        relayed = office.people.eligibility_report() | {"reporter": reporter}
        await refused(office, (403, "forged-role"), office.post("/v1/reports", "city", relayed))
