"""OpenAPI components built from the canonical models, in the form the hub serves them.

Responses are what the models *serialize* to (``mode="serialization"``), so a
reader validating what it receives checks exactly the hub's output.
"""

from __future__ import annotations

from typing import Any

from certhub.hub.api.signer_revocation import REVOKED_SOURCES_SCHEMA
from certhub.hub.rules.compliance import ComplianceStatus
from certhub.schemas import VerificationTask

_REF_TEMPLATE = "#/components/schemas/{model}"


def task_schemas() -> dict[str, Any]:
    """``VerificationTaskItem`` and ``VerificationTaskPage``, with the models they use."""
    task = VerificationTask.model_json_schema(mode="serialization", ref_template=_REF_TEMPLATE)
    components: dict[str, Any] = task.pop("$defs", {})
    components["VerificationTask"] = task
    # The task model forbids unknown members, so the item is the model plus `version`.
    components["VerificationTaskItem"] = {
        **task,
        "description": "A verification task's current state and its version (it grows "
        "with each step).",
        "required": [*task.get("required", ()), "version"],
        "properties": {
            **task["properties"],
            "version": {"type": "integer", "minimum": 0},
            "revoked_sources": REVOKED_SOURCES_SCHEMA,
        },
    }
    components["VerificationTaskPage"] = {
        "type": "object",
        "required": ["items", "next_cursor", "has_more"],
        "properties": {
            "items": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/VerificationTaskItem"},
            },
            "next_cursor": {"type": "string"},
            "has_more": {"type": "boolean"},
        },
    }
    return components


def _object(required: list[str], properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": properties}


_COUNT = _object(["key", "count"], {"key": {"type": "string"}, "count": {"type": "integer"}})
_MONEY_COUNT = _object(
    ["key", "count", "amount"],
    {
        "key": {"type": "string"},
        "count": {"type": "integer"},
        "amount": {"type": "string", "pattern": r"^-?[0-9]+\.[0-9]{2}$"},
    },
)


def reader_schemas() -> dict[str, Any]:
    """The bodies of compliance, statistics, health, readiness and the schema list."""
    period = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"}
    unit = _object(
        ["code", "name", "status", "late", "overdue"],
        {
            "code": {"type": "string", "pattern": "^[0-9]{6}([0-9]{6})?$"},
            "name": {"type": "string"},
            "status": {"enum": [status.value for status in ComplianceStatus]},
            "late": {"type": "boolean", "description": "a zero report after the deadline"},
            "overdue": {"type": "boolean", "description": "missing, and the deadline passed"},
        },
    )
    check = _object(
        ["ok", "detail", "duration_ms"],
        {
            "ok": {"type": "boolean"},
            "detail": {"type": "string"},
            "duration_ms": {"type": "number"},
        },
    )
    return {
        "Compliance": _object(
            ["period", "deadline", "units"],
            {
                "period": period,
                "deadline": {"type": "string", "format": "date-time"},
                "units": {"type": "array", "items": unit},
            },
        ),
        "Stats": _object(
            ["period", "group_by", "reports", "certifications", "tasks", "overpayments"],
            {
                "period": period,
                "group_by": {"enum": ["city", "county", "reason", "method"]},
                "reports": {"type": "array", "items": _COUNT},
                "certifications": {"type": "array", "items": _COUNT},
                "tasks": {"type": "array", "items": _COUNT},
                "overpayments": {"type": "array", "items": _MONEY_COUNT},
            },
        ),
        "Health": _object(["status"], {"status": {"const": "ok"}}),
        "Readiness": _object(
            ["status", "checks"],
            {
                "status": {"enum": ["ready", "not ready"]},
                "checks": {"type": "object", "additionalProperties": check},
            },
        ),
        "SchemaList": _object(
            ["types"],
            {
                "types": {
                    "type": "array",
                    "items": _object(
                        ["type", "href"], {"type": {"type": "string"}, "href": {"type": "string"}}
                    ),
                }
            },
        ),
    }
