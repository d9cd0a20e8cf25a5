"""OpenAPI components built from the canonical models, in the form the hub serves them.

Responses are what the models *serialize* to (``mode="serialization"``), so a
reader validating what it receives checks exactly the hub's output.
"""

from __future__ import annotations

from typing import Any

from schemas import VerificationTask

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
        "properties": {**task["properties"], "version": {"type": "integer", "minimum": 0}},
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
