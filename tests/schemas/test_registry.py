"""Message-type registry, JSON Schema export and the package's public surface."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pydantic import ValidationError

from certhub import schemas
from certhub.schemas import (
    MESSAGE_TYPES,
    UnknownMessageType,
    export_json_schemas,
    json_schema_for,
    model_for,
    parse_message,
)

Samples = dict[str, dict[str, Any]]


def test_table_lists_every_type_and_is_read_only() -> None:
    assert sorted(MESSAGE_TYPES) == sorted(
        f"{name}/v1"
        for name in (
            "eligibility_report",
            "zero_report",
            "certification_event",
            "decision",
            "verification_task",
            "suspension",
            "termination",
            "overpayment",
            "restoration",
            "task_transition",
            "benefit_record",
            "recovery",
            "write_off",
            "task_deadline",
            "report_deadline",
            "biometric_enrolment",
            "service_rating",
            "rating_followup",
            "suspension_proposal",
            "restoration_proposal",
            "termination_amendment",
        )
    )
    for message_type, model in MESSAGE_TYPES.items():
        assert message_type == model.MESSAGE_TYPE  # type: ignore[attr-defined]
        assert model.model_fields["type"].default == message_type
    with pytest.raises(TypeError):
        MESSAGE_TYPES["x/v1"] = schemas.ZeroReport  # type: ignore[index]


@pytest.mark.parametrize("message_type", sorted(MESSAGE_TYPES))
def test_schema_is_valid_and_accepts_sample(message_type: str, samples: Samples) -> None:
    schema = json_schema_for(message_type)
    jsonschema.Draft202012Validator.check_schema(schema)
    name = message_type.split("/", maxsplit=1)[0]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"urn:certhub:schema:{name}:v1"
    validator = jsonschema.Draft202012Validator(schema)
    sample = samples[message_type]
    validator.validate(sample)
    dumped = json.loads(parse_message(message_type, json.dumps(sample).encode()).model_dump_json())
    validator.validate(dumped)
    assert not validator.is_valid(sample | {"unexpected": 1})


def test_export_writes_one_file_per_type(tmp_path: Path) -> None:
    written = export_json_schemas(tmp_path / "out")
    assert sorted(p.name for p in written) == sorted(
        t.replace("/", ".") + ".json" for t in MESSAGE_TYPES
    )
    for path in written:
        jsonschema.Draft202012Validator.check_schema(json.loads(path.read_text("utf-8")))


def test_unknown_type_suggests_the_closest() -> None:
    with pytest.raises(UnknownMessageType, match="did you mean 'zero_report/v1'") as caught:
        model_for("zero_reports/v1")
    assert caught.value.suggestions[0] == "zero_report/v1"
    assert isinstance(caught.value, LookupError)
    with pytest.raises(UnknownMessageType) as caught:
        json_schema_for("completely-different")
    assert "did you mean" not in str(caught.value)


def test_parse_message_returns_the_model(samples: Samples) -> None:
    payload = json.dumps(samples["decision/v1"]).encode()
    decision = parse_message("decision/v1", payload)
    assert isinstance(decision, schemas.Decision)


def test_parse_message_refuses_mismatched_type(samples: Samples) -> None:
    payload = json.dumps(samples["zero_report/v1"]).encode()
    with pytest.raises(ValidationError):
        parse_message("eligibility_report/v1", payload)
    with pytest.raises(UnknownMessageType):
        parse_message("zero_report/v2", payload)


@pytest.mark.parametrize("payload", [b"", b"not json", b"[]", b'{"type": "zero_report/v1"'])
def test_parse_message_refuses_bad_json(payload: bytes) -> None:
    with pytest.raises(ValidationError):
        parse_message("zero_report/v1", payload)


def test_schemas_imports_no_other_project_package() -> None:
    project = {"adapters", "hub", "security", "monitoring", "mocks"}
    for path in Path(schemas.__file__).parent.glob("*.py"):
        for line in path.read_text("utf-8").splitlines():
            words = line.split()
            if words[:1] in (["import"], ["from"]) and len(words) > 1:
                assert words[1].split(".")[0] not in project, f"{path.name}: {line}"
