"""Cross-field rules are in the published JSON Schemas: a sender's validator refuses them too."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from certhub.schemas import json_schema_for, parse_message

Case = tuple[str, dict[str, Any], list[str]]  # (type, changes, keys removed)

# each breaks exactly one rule a model checks in code
BROKEN: list[Case] = [
    ("eligibility_report/v1", {"reason": "other"}, ["remarks"]),
    ("eligibility_report/v1", {"reason": "other", "remarks": "   "}, []),
    ("decision/v1", {"action": "reject", "reasons": []}, []),
    ("decision/v1", {"action": "reject", "reasons": [" "]}, []),
    ("decision/v1", {"action": "reject"}, ["reasons"]),
    ("task_transition/v1", {"to_status": "confirmed"}, ["method"]),
    ("task_transition/v1", {"to_status": "cleared"}, ["outcome", "event_date"]),
    ("task_transition/v1", {"to_status": "cleared", "outcome": "  "}, ["event_date"]),
    ("task_transition/v1", {"to_status": "cleared", "method": None}, ["event_date"]),
    ("task_transition/v1", {"to_status": "cleared"}, []),  # event_date on a clearing
    ("task_transition/v1", {"to_status": "in_progress"}, []),  # event_date on a pick-up
    ("benefit_record/v1", {"status": "suspended"}, []),
    ("benefit_record/v1", {"status": "active", "suspended_since": "2024-01-01"}, []),
    ("benefit_record/v1", {"status": "suspended", "suspended_since": None}, []),
]
KEPT: list[Case] = [
    ("eligibility_report/v1", {"reason": "other", "remarks": "外出"}, []),
    ("eligibility_report/v1", {"reason": "death"}, ["remarks"]),
    ("decision/v1", {"action": "approve", "reasons": []}, []),
    ("task_transition/v1", {"to_status": "in_progress"}, ["method", "outcome", "event_date"]),
    ("task_transition/v1", {"to_status": "cleared"}, ["event_date"]),
    ("benefit_record/v1", {"status": "suspended", "suspended_since": "2024-01-01"}, []),
    ("benefit_record/v1", {"status": "terminated", "suspended_since": None}, []),
]


def _payload(samples: dict[str, dict[str, Any]], case: Case) -> tuple[str, dict[str, Any]]:
    """The case's message type, and its sample with the changes made and the keys removed."""
    message_type, changes, removed = case
    payload = samples[message_type] | changes
    for key in removed:
        payload.pop(key, None)
    return message_type, payload


def _schema_errors(message_type: str, payload: dict[str, Any]) -> list[str]:
    validator = Draft202012Validator(json_schema_for(message_type))
    return [error.message for error in validator.iter_errors(payload)]


@pytest.mark.parametrize("case", BROKEN)
def test_what_the_model_refuses_the_schema_refuses(
    samples: dict[str, dict[str, Any]], case: Case
) -> None:
    message_type, payload = _payload(samples, case)
    with pytest.raises(ValidationError):
        parse_message(message_type, json.dumps(payload).encode())
    assert _schema_errors(message_type, payload), "the published schema lets it through"


@pytest.mark.parametrize("case", KEPT)
def test_what_the_model_accepts_the_schema_accepts(
    samples: dict[str, dict[str, Any]], case: Case
) -> None:
    message_type, payload = _payload(samples, case)
    parse_message(message_type, json.dumps(payload).encode())
    assert _schema_errors(message_type, payload) == []
