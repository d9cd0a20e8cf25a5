"""Money under concurrency, found correct: two requests in flight at once (racekit: both
planned before either commits) that the ledger's keys, versions and balance guards already
kept right — each month paid or recovered exactly once, the second refused and nothing of it
stored. 238.00 a month (the kit's roster); hand-worked vectors in each test."""

from __future__ import annotations

import asyncio

import pytest
from hubkit import JOSE
from latekit import balance, label
from procedurekit import (
    PARTIES,
    Office,
    back_paid_months,
    evidence_payloads,
    month_day,
    recovery,
    roster_entry,
    write_off,
)
from racekit import (
    CONFLICT,
    DECISION,
    ENTRY,
    PROBLEM,
    approval,
    confirmation,
    second_refused,
    sent,
    together,
)

from certhub.hub.core.keys import STORE

RECOVERY = "recovery/v1"


@pytest.mark.parametrize("first", [RECOVERY, DECISION])
async def test_a_recovery_racing_a_write_off_approval_is_counted_once(
    office_db: Office, first: str
) -> None:
    """Found correct (the balance's guards): died on the 15th of ``M(-3)``, confirmed while paid
    through ``M(-1)``: 476.00; 100.00 recovered, the other 376.00 asked to be written off and
    accepted by the town. A recovery of 50.00 and the county's approval in flight at once:
    the second to commit is refused (``conflict``) and, sent again, refused for what the first
    did — never 100.00 + 50.00 recovered with 376.00 written off (526.00 of 476.00)."""
    office = office_db
    store = office.client.app[STORE]
    person = office.people.person()
    await office.roster(person, paid_through=label(-1))
    task = await office.confirmed_death(person, month_day(-3, 15))
    recoveries = f"/v1/overpayments/{task}/recoveries"
    status, body = await office.post(
        recoveries, "det-1", recovery(task, "100.00", reference="BR-1")
    )
    assert status == 202, body
    status, body = await office.post(
        f"/v1/overpayments/{task}/write-offs", "det-1", write_off(task, "376.00")
    )
    assert status == 202, body
    item = int(body["sequence"])
    assert (await office.decide("write-offs", item, "town-1", "accept"))[0] == 202
    steps = {
        RECOVERY: (recoveries, "det-1", recovery(task, "50.00", reference="BR-2")),
        DECISION: (f"/v1/write-offs/{item}/decisions", "county-1", approval(item)),
    }
    second = DECISION if first == RECOVERY else RECOVERY
    sends = sent(office, *steps[first]), sent(office, *steps[second])
    await second_refused(first, second, sends, store)
    status, body, *_ = await sent(office, *steps[second])  # sent again: what the first did
    settled = {RECOVERY: "write-off-stale", DECISION: "overpayment-settled"}[first]
    assert (status, body.get("type")) == (409, PROBLEM + settled), body
    done = (await office.get(f"/v1/overpayments/{task}", "county-1"))[1]
    money = (done["recovered"], done["written_off"], done["remaining"], done["status"])
    assert (
        money
        == {
            RECOVERY: ("150.00", "0.00", "326.00", "partially_recovered"),
            DECISION: ("100.00", "376.00", "0.00", "written_off"),
        }[first]
    )


async def test_the_same_confirmation_sent_twice_at_once_is_stored_once(office_db: Office) -> None:
    """Found correct (the ledger's key on sender and message id): the county's confirmation,
    the same signed bytes sent twice at once and both planned before either commits, answers
    202 twice with one receipt; the overpayment (paid through ``M(-1)``: ``M(-2)..M(-1)`` =
    476.00) is recorded once."""
    office = office_db
    store = office.client.app[STORE]
    person = office.people.person()
    await office.roster(person, paid_through=label(-1))
    task = str((await office.reported_death(person, month_day(-3, 15)))["task_id"])
    raw = office.sign("county-1", confirmation(task, month_day(-3, 15)))
    path = f"/v1/verification-tasks/{task}/transitions"
    with together(store):
        answers = await asyncio.gather(
            *(office.client.post(path, data=raw, headers=JOSE) for _ in range(2))
        )
    bodies = [await answer.json() for answer in answers]
    assert [answer.status for answer in answers] == [202, 202], bodies
    # one record, one receipt; the second told it is a duplicate
    assert sorted(body.pop("duplicate") for body in bodies) == [False, True]
    assert bodies[0] == bodies[1]
    assert await balance(office, task) == (200, (2, "476.00", "0.00", "pending"))
    assert await store.counted_months(person["id_number"], "recovered") == {label(-2), label(-1)}


async def test_two_confirmations_of_one_task_at_once_dispose_once(office_db: Office) -> None:
    """Found correct (the task's version): two county reviewers confirm the same task at once,
    both planned on the open task: one is stored, the other refused (``conflict``, nothing
    stored) and, sent again, refused (the task is confirmed); 476.00 recorded once."""
    office = office_db
    store = office.client.app[STORE]
    person = office.people.person()
    await office.roster(person, paid_through=label(-1))
    task = str((await office.reported_death(person, month_day(-3, 15)))["task_id"])
    path = f"/v1/verification-tasks/{task}/transitions"
    second = confirmation(task, month_day(-3, 15)) | {
        "actor": {"id": "county-2", "role": PARTIES["county-2"][0]}
    }
    with together(store):
        answers = await asyncio.gather(
            sent(office, path, "county-1", confirmation(task, month_day(-3, 15))),
            sent(office, path, "county-2", second),
        )
    statuses = sorted((status, body.get("type")) for status, body, *_ in answers)
    assert statuses == [(202, "task_transition/v1"), (409, CONFLICT)], answers
    (refused,) = [answer for answer in answers if answer[0] == 409]
    assert await store.find(refused[2], refused[3]) is None
    status, body, *_ = await sent(office, path, "county-2", second)
    assert (status, body.get("type")) == (409, PROBLEM + "task-transition-invalid"), body
    assert await balance(office, task) == (200, (2, "476.00", "0.00", "pending"))
    assert await store.counted_months(person["id_number"], "recovered") == {label(-2), label(-1)}


async def test_two_restorations_of_the_same_months_at_once_back_pay_once(
    office_db: Office,
) -> None:
    """Found correct (the months' key): two town staff file restorations back-paying the
    same ``M(-3)..M(-1)`` = 714.00 at once, both planned before either commits: one is
    stored, the other refused (``months-already-counted``, nothing stored); the months are
    claimed once."""
    office = office_db
    store = office.client.app[STORE]
    person, since = office.people.person(), month_day(-4, 10)
    await office.suspended(person, since)
    request = back_paid_months(person, since, -3, -1, "714.00")
    with together(store):
        answers = await asyncio.gather(
            sent(office, "/v1/restorations", "town-1", request),
            sent(office, "/v1/restorations", "town-2", request | {"requested_by": {
                "id": "town-2", "role": PARTIES["town-2"][0]}}),
        )  # fmt: skip
    statuses = sorted((status, body.get("type")) for status, body, *_ in answers)
    taken = PROBLEM + "months-already-counted"
    assert statuses == [(202, "restoration/v1"), (409, taken)], answers
    (refused,) = [answer for answer in answers if answer[0] == 409]
    assert await store.find(refused[2], refused[3]) is None
    months = {label(-3), label(-2), label(-1)}
    assert await store.counted_months(person["id_number"], "back_paid") == months


async def test_two_roster_entries_after_the_death_at_once_count_each_month_once(
    office_db: Office,
) -> None:
    """Found correct (the balance's amount; the person's guard too): confirmed while paid
    through ``M(-3)``, the death's month (nothing overpaid); the province's entries paid
    through ``M(-1)`` and through ``M(0)`` (a later ``as_of``) both planned before either
    commits: one is stored, the other refused (``conflict``, nothing stored); sent again,
    ``M(-2)..M(0)`` = 714.00, each month recovered once."""
    office = office_db
    store = office.client.app[STORE]
    person = office.people.person()
    await office.roster(person, paid_through=label(-3))
    task = await office.confirmed_death(person, month_day(-3, 15))
    earlier = roster_entry(person, paid_through=label(-1))
    later = roster_entry(person, paid_through=label(0))  # as_of a moment after
    with together(store):
        answers = await asyncio.gather(
            sent(office, "/v1/roster", "province", earlier),
            sent(office, "/v1/roster", "province", later),
        )
    statuses = sorted((status, body.get("type")) for status, body, *_ in answers)
    assert statuses == [(202, "benefit_record/v1"), (409, CONFLICT)], answers
    (refused,) = [answer for answer in answers if answer[0] == 409]
    assert await store.find(refused[2], refused[3]) is None
    again = earlier if refused is answers[0] else later
    status, body, *_ = await sent(office, "/v1/roster", "province", again)
    assert status == 202, body
    assert await balance(office, task) == (200, (3, "714.00", "0.00", "pending"))
    months = {label(-2), label(-1), label(0)}
    assert await store.counted_months(person["id_number"], "recovered") == months


@pytest.mark.parametrize("first", [ENTRY, DECISION])
async def test_an_amendment_approved_while_an_entry_is_in_flight_counts_each_month_once(
    office_db: Office, first: str
) -> None:
    """Found correct (the balance's amount): died on the 15th of ``M(-3)``, confirmed while
    paid through ``M(-2)`` (238.00); the city's later report dates the death the 20th of
    ``M(-5)`` and its amendment (``M(-4)..M(-3)`` = 476.00 more) is accepted by the town. The
    county's approval and the province's entry paid through ``M(0)`` (``M(-1)..M(0)`` = 476.00
    more) in flight at once: the second to commit is refused (``conflict``, nothing stored);
    sent again, ``M(-4)..M(0)`` = 1,190.00, each month recovered once."""
    office = office_db
    store = office.client.app[STORE]
    person = office.people.person()
    await office.roster(person, paid_through=label(-2))
    task = await office.confirmed_death(person, month_day(-3, 15))
    certificate = await office.upload(evidence_payloads()["pdf"], "application/pdf")
    await office.approved_report(office.death_report(person, month_day(-5, 20), certificate))
    status, page = await office.get("/v1/termination-amendments")
    assert status == 200, page
    (item,) = [int(p["sequence"]) for p in page["items"]]
    assert (await office.decide("termination-amendments", item, "town-1", "accept"))[0] == 202
    steps = {
        ENTRY: ("/v1/roster", "province", roster_entry(person, paid_through=label(0))),
        DECISION: (f"/v1/termination-amendments/{item}/decisions", "county-1", approval(item)),
    }
    second = DECISION if first == ENTRY else ENTRY
    sends = sent(office, *steps[first]), sent(office, *steps[second])
    await second_refused(first, second, sends, store)
    status, body, *_ = await sent(office, *steps[second])
    assert status == 202, body
    assert await balance(office, task) == (200, (5, "1190.00", "0.00", "pending"))
    months = {label(n) for n in range(-4, 1)}
    assert await store.counted_months(person["id_number"], "recovered") == months
