"""``restoration_proposal/v1`` of a suspension for non-certification: the optional
``suspension`` instead of a termination's fields, never both, never neither."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from certhub.schemas import RestorationProposal

SUSPENSION = {
    "suspension": "suspension:proposal:12",
    "reason": "not_certified",
    "certification": "channel:m7",
    "certified_on": "2024-03-05",
}
TERMINATION = ("task_id", "reason", "event_date", "withdrawn")


def of_a_suspension(samples: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The sample proposal with the suspension instead of the termination."""
    sample = samples["restoration_proposal/v1"]
    return {k: v for k, v in sample.items() if k not in TERMINATION} | {"suspension": SUSPENSION}


def test_a_suspension_proposal_states_no_termination(samples: dict[str, dict[str, Any]]) -> None:
    proposal = RestorationProposal.model_validate(of_a_suspension(samples))
    assert proposal.suspension is not None
    assert proposal.task_id is None
    assert proposal.withdrawn == ()
    again = RestorationProposal.model_validate_json(proposal.model_dump_json())
    assert again == proposal


@pytest.mark.parametrize("field", TERMINATION)
def test_a_termination_field_beside_the_suspension_is_refused(
    samples: dict[str, dict[str, Any]], field: str
) -> None:
    payload = of_a_suspension(samples) | {field: samples["restoration_proposal/v1"][field]}
    with pytest.raises(ValidationError, match="states no termination"):
        RestorationProposal.model_validate(payload)


@pytest.mark.parametrize("field", ["task_id", "reason", "event_date"])
def test_a_termination_proposal_still_needs_its_fields(
    samples: dict[str, dict[str, Any]], field: str
) -> None:
    payload = dict(samples["restoration_proposal/v1"])
    del payload[field]
    with pytest.raises(ValidationError, match=field):
        RestorationProposal.model_validate(payload)


def test_the_published_schema_keeps_the_termination_fields_optional_only() -> None:
    schema = RestorationProposal.model_json_schema()
    assert set(schema["required"]) == {"person", "effective_from", "proposed_at"}
    assert "suspension" in schema["properties"]
