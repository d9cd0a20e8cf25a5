"""Verification tasks: open/join, transitions, disposal by kind, overpayment."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from disposalkit import COUNTY, confirmed_task, report, roster_entry

from certhub.hub.rules.disposal import Disposal, dispose
from certhub.hub.rules.tasks import TaskRecord, advance, task_for_report
from certhub.schemas import (
    ActorRef,
    BenefitRecord,
    Refusal,
    Role,
    TaskDisposal,
    TaskStatus,
    TaskTransition,
    VerificationTask,
)

NOW = datetime(2024, 7, 10, 9, 0, tzinfo=UTC)
TOWN = ActorRef(id="town-1", role=Role.town_staff)


def step(to: str, actor: ActorRef = COUNTY, **changes: Any) -> TaskTransition:
    fields: dict[str, Any] = {"task_id": "task-1", "to_status": to, "actor": actor, "at": NOW}
    if to != "in_progress":
        fields |= {"method": "department_letter", "outcome": "核实"}
    return TaskTransition.model_validate(fields | changes)


def roster(paid_through: str = "2024-06") -> BenefitRecord:
    """The pensioner's entry: active at 238.00 a month, paid through ``paid_through``."""
    return roster_entry(report().person, NOW, paid_through)


def disposed(
    task: VerificationTask,
    event_date: date,
    benefit: BenefitRecord | None,
    suspend_until: date | None = None,
) -> Disposal:
    """What the county reviewer's confirmation of ``task`` decides (now, on ``benefit``)."""
    return dispose(
        task,
        event_date=event_date,
        suspend_until=suspend_until,
        roster=benefit,
        decided_by=COUNTY,
        at=NOW,
    )


def test_an_approved_death_report_opens_a_task_and_a_second_one_joins_it() -> None:
    first = task_for_report(None, report(), "10", NOW)
    assert first is not None
    assert (first.kind, first.status, first.sources) == ("death", TaskStatus.open, ("10",))
    joined = task_for_report(TaskRecord(first, 0), report(), "11", NOW)
    assert joined is not None
    assert joined.sources == ("10", "11")
    assert joined.task_id == first.task_id


def test_reason_other_opens_no_task() -> None:
    assert task_for_report(None, report("other"), "10", NOW) is None


def test_lifecycle_and_refusals() -> None:
    task = task_for_report(None, report(), "10", NOW)
    assert task is not None
    working = advance(TaskRecord(task, 0), step("in_progress", TOWN), Role.town_staff)
    assert working.status is TaskStatus.in_progress
    with pytest.raises(Refusal) as caught:
        advance(TaskRecord(working, 1), step("confirmed", TOWN), Role.town_staff)
    assert caught.value.slug == "role-not-permitted"
    confirmed = advance(
        TaskRecord(working, 1),
        step("confirmed", event_date=date(2024, 3, 15)),
        Role.county_reviewer,
    )
    assert (confirmed.status, confirmed.disposal) == (TaskStatus.confirmed, TaskDisposal.terminate)
    assert confirmed.resolved_at == NOW
    with pytest.raises(Refusal) as caught:
        advance(TaskRecord(confirmed, 2), step("cleared"), Role.county_reviewer)
    assert caught.value.slug == "task-transition-invalid"


def test_confirmed_death_terminates_from_the_event_date_with_overpayment_and_notice() -> None:
    task = confirmed_task(NOW, event_date=date(2024, 3, 15))
    result = disposed(task, date(2024, 3, 15), roster("2024-06"))
    assert result.termination is not None
    assert result.termination.effective_from == date(2024, 3, 15)
    assert result.termination.family_notified is True
    assert result.overpayment is not None
    assert (result.overpayment.months, result.overpayment.amount) == (3, Decimal("714.00"))
    assert result.overpayment.period_from == date(2024, 4, 1)
    assert result.overpayment.period_to == date(2024, 6, 30)
    assert result.notice is not None
    assert task.person.id_number not in result.notice.text
    assert "丧葬补助金" in result.notice.text


def test_no_overpayment_when_paid_only_through_the_event_month() -> None:
    result = disposed(confirmed_task(NOW), date(2024, 6, 2), roster("2024-06"))
    assert result.overpayment is None


def test_imprisonment_suspends_for_the_sentence_without_family_notice() -> None:
    task = confirmed_task(NOW, "imprisonment")
    assert task.disposal is TaskDisposal.suspend
    result = disposed(task, date(2024, 5, 1), None, suspend_until=date(2026, 5, 1))
    assert result.suspension is not None
    assert result.suspension.reason == "imprisonment"
    assert result.suspension.remarks == "until 2026-05-01"
    assert (result.termination, result.notice, result.overpayment) == (None, None, None)


def test_duplicate_receipt_terminates_the_duplicate_without_family_notice() -> None:
    result = disposed(confirmed_task(NOW, "duplicate_receipt"), date(2024, 1, 1), roster())
    assert result.termination is not None
    assert result.termination.family_notified is False
    assert result.notice is None
    assert result.overpayment is not None
    assert result.overpayment.months == 5
