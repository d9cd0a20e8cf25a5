"""Shared sample payloads for the schema tests: one valid instance per message type."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from certhub.schemas import check_character

SHA_A = "a" * 64
SHA_B = "0123456789abcdef" * 4


def make_id(first17: str) -> str:
    """Complete 17 digits with their check character."""
    return first17 + check_character(first17)


PERSON_ID = make_id("44010219500101123")


def _iso(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat()


def build_samples() -> dict[str, dict[str, Any]]:
    """Return one valid JSON-compatible payload per message type."""
    region = {"county": "440103", "village": "440103001001"}
    person = {"id_number": PERSON_ID, "name": "陈大文", "region": region}
    actor = {"id": "coord-001", "role": "coordinator", "name": "李四"}
    reviewer = {"id": "rev@county", "role": "county_reviewer"}
    evidence = [
        {"sha256": SHA_A, "kind": "id_image", "media_type": "image/jpeg"},
        {"sha256": SHA_B, "kind": "onsite_photo", "media_type": "image/png"},
    ]
    past = _iso(-timedelta(hours=1))
    return {
        "eligibility_report/v1": {
            "type": "eligibility_report/v1",
            "reason": "death",
            "person": person,
            "event_date": "2024-03-15",
            "reporter": actor,
            "region": {"county": "440103"},
            "evidence": [
                {"sha256": SHA_A, "kind": "death_certificate", "media_type": "application/pdf"}
            ],
            "remarks": "家属告知",
        },
        "zero_report/v1": {
            "type": "zero_report/v1",
            "reporter": actor,
            "region": region,
            "period": "2024-02",
            "count": 0,
        },
        "certification_event/v1": {
            "type": "certification_event/v1",
            "person": person,
            "method": "counter",
            "channel": {"kind": "counter", "code": "GZ-LW-01"},
            "outcome": "certified",
            "occurred_at": past,
            "evidence": evidence,
            "operator": {"id": "staff-9", "role": "town_staff"},
            "valid_until": (datetime.now(UTC) + timedelta(days=300)).date().isoformat(),
        },
        "decision/v1": {
            "type": "decision/v1",
            "subject_id": "report:2024:000123",
            "action": "reject",
            "actor": reviewer,
            "reasons": ["证据不足"],
            "decided_at": past,
        },
        "verification_task/v1": {
            "type": "verification_task/v1",
            "task_id": "task-1",
            "person": person,
            "kind": "death",
            "status": "confirmed",
            "sources": ["cmp:2024-03:civil_affairs:77"],
            "opened_at": _iso(-timedelta(days=3)),
            "resolved_at": past,
            "disposal": "terminate",
        },
        "suspension/v1": {
            "type": "suspension/v1",
            "person": person,
            "reason": "not_certified",
            "effective_from": "2024-04-01",
            "decided_by": reviewer,
            "decided_at": past,
        },
        "termination/v1": {
            "type": "termination/v1",
            "person": person,
            "reason": "death",
            "event_date": "2024-03-15",
            "effective_from": "2024-04-01",
            "family_notified": True,
            "task_id": "task-1",
            "decided_by": reviewer,
            "decided_at": past,
        },
        "overpayment/v1": {
            "type": "overpayment/v1",
            "person": person,
            "period_from": "2024-04-01",
            "period_to": "2024-06-30",
            "months": 3,
            "monthly_amount": "238.00",
            "amount": "714.00",
            "recovered_amount": "100.00",
            "recovery_status": "partially_recovered",
        },
        "restoration/v1": {
            "type": "restoration/v1",
            "person": person,
            "suspended_since": "2022-01-01",
            "restore_from": "2024-05-01",
            "back_pay_from": "2022-01-01",
            "back_pay_to": "2024-04-30",
            "monthly_amount": "238.00",
            "back_pay_amount": "6664.00",
            "bank_account": "6222021234567890123",
            "bank_account_on_file": "6222***********0123",
            "requested_by": actor,
            "requested_at": past,
            "approvals": [reviewer, {"id": "muni-1", "role": "municipal_approver"}],
        },
        "task_transition/v1": {
            "type": "task_transition/v1",
            "task_id": "task-1",
            "to_status": "confirmed",
            "method": "department_letter",
            "outcome": "民政部门火化记录核实死亡",
            "event_date": "2024-03-15",
            "actor": reviewer,
            "at": past,
        },
        "benefit_record/v1": {
            "type": "benefit_record/v1",
            "person": person,
            "status": "active",
            "monthly_amount": "238.00",
            "paid_through": "2024-06",
            "bank_account_on_file": "6222***********0123",
            "as_of": past,
        },
        "recovery/v1": {
            "type": "recovery/v1",
            "task_id": "task-1",
            "amount": "238.00",
            "source": "bank_reversal",
            "recovered_on": "2024-07-10",
            "reference": "ICBC-20240710-0001",
            "actor": reviewer,
            "at": past,
        },
        "biometric_enrolment/v1": {
            "type": "biometric_enrolment/v1",
            "person": person,
            "modality": "face",
            "status": "enrolled",
            "occurred_at": "2024-03-01T09:00:00+08:00",
            "channel": {"kind": "app_gdrs", "code": "gdrs"},
            "consent": {"given_at": "2024-03-01T08:59:00+08:00", "method": "in_app"},
        },
        "service_rating/v1": {
            "type": "service_rating/v1",
            "service_record": 42,
            "score": 2,
            "rater": "family",
            "comment": "排队太久",
            "rated_at": past,
        },
        "rating_followup/v1": {
            "type": "rating_followup/v1",
            "rating_id": 43,
            "action": "callback",
            "outcome": "已电话回访，解释原因并致歉",
            "actor": actor,
            "at": past,
        },
        "suspension_proposal/v1": {
            "type": "suspension_proposal/v1",
            "person": person,
            "due_month": "2024-02",
            "liable_from": "2024-03-01",
            "last_certified_on": "2023-02-10",
            "last_certification_sequence": 17,
            "proposed_at": "2024-03-01T09:00:00+08:00",
        },
        "restoration_proposal/v1": {
            "type": "restoration_proposal/v1",
            "person": person,
            "task_id": "task-cmpr.2024-02.0123456789abcdef",
            "reason": "death",
            "event_date": "2024-02-03",
            "effective_from": "2024-02-03",
            "withdrawn": ["civil_affairs:C1"],
            "proposed_at": "2024-03-01T09:00:00+08:00",
        },
        "termination_amendment/v1": {
            "type": "termination_amendment/v1",
            "person": person,
            "task_id": "task-17",
            "reason": "death",
            "event_date": "2024-02-03",
            "amended_event_date": "2023-12-31",
            "source": "report item 17",
            "proposed_at": "2024-03-01T09:00:00+08:00",
        },
        "task_deadline/v1": {
            "type": "task_deadline/v1",
            "task_id": "task-1",
            "kind": "death",
            "person": person,
            "stage": "escalated",
            "addressed_to": "county",
            "opened_at": "2024-03-01T09:00:00+08:00",
            "due_at": "2024-03-31T09:00:00+08:00",
            "at": "2024-04-01T09:00:00+08:00",
        },
        "report_deadline/v1": {
            "type": "report_deadline/v1",
            "item": "812",
            "reason": "death",
            "person": person,
            "status": "accepted",
            "stage": "escalated",
            "addressed_to": "city",
            "filed_at": "2024-03-01T09:00:00+08:00",
            "due_at": "2024-03-16T09:00:00+08:00",
            "at": "2024-03-16T09:01:00+08:00",
        },
        "write_off/v1": {
            "type": "write_off/v1",
            "task_id": "task-1",
            "amount": "476.00",
            "reason": "无遗产可追，继承人放弃继承",
            "actor": reviewer,
            "at": past,
        },
    }


@pytest.fixture
def samples() -> dict[str, dict[str, Any]]:
    """One valid payload per message type (fresh copy per test)."""
    return build_samples()
