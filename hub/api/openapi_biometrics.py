"""OpenAPI paths of the biometric enrolment registry (status only, never templates)."""

from __future__ import annotations

from typing import Any, get_args

from certhub.hub.api.openapi_parts import (
    MOMENT,
    path_param,
    push_operation,
    reader_get,
)
from certhub.hub.rules.biometrics import Route

_MODALITY = {"type": "string", "enum": ["face", "fingerprint", "finger_vein"]}
_PERSON: dict[str, Any] = {
    "type": "object",
    "required": [
        "person_id",
        "models",
        "failed_face_attempts",
        "face_attempts_before_review",
        "route",
    ],
    "properties": {
        "person_id": {"type": "string"},
        "models": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["modality", "status", "occurred_at", "channel", "record"],
                "properties": {
                    "modality": _MODALITY,
                    "status": {"type": "string", "enum": ["enrolled", "withdrawn"]},
                    "occurred_at": MOMENT,
                    "channel": {"type": "string"},
                    "record": {"type": "integer", "description": "the ledger record it came in"},
                },
            },
        },
        "failed_face_attempts": {
            "type": "integer",
            "minimum": 0,
            "description": "failed face certifications since the last passed certification",
        },
        "face_attempts_before_review": {"type": "integer"},
        "route": {"type": "string", "enum": list(get_args(Route))},
    },
}


def biometric_paths() -> dict[str, Any]:
    """The paths of the biometric enrolment registry."""
    return {
        "/v1/biometric-enrolments": push_operation(
            "A channel reports a biometric model enrolled or withdrawn (no template).",
            ["biometric_enrolment/v1"],
        ),
        "/v1/biometric-enrolments/{person_id}": reader_get(
            "A person's biometric models and the way they can certify now.",
            [path_param("person_id")],
            _PERSON,
            errors={"404": "Not a valid ID number, or outside the area."},
        ),
    }
