"""OpenAPI path of task deadlines: open verification tasks, due and overdue."""

from __future__ import annotations

from typing import Any

from certhub.hub.api.openapi_parts import (
    MAYBE_MOMENT,
    MOMENT,
    REGION_PREFIX,
    cursor_query,
    page_of,
    query,
    reader_get,
)

_DEADLINE: dict[str, Any] = {
    "type": "object",
    "required": [
        "task_id",
        "kind",
        "county",
        "village",
        "opened_at",
        "due_at",
        "overdue",
        "days_overdue",
        "reminded_at",
        "escalated_at",
    ],
    "properties": {
        "task_id": {"type": "string"},
        "kind": {
            "type": "string",
            "enum": [
                "death",
                "missing",
                "imprisonment",
                "loss_of_nationality",
                "duplicate_receipt",
            ],
        },
        "county": {"type": "string"},
        "village": {"type": ["string", "null"]},
        "opened_at": MOMENT,
        "due_at": MOMENT,
        "overdue": {"type": "boolean"},
        "days_overdue": {"type": "integer", "minimum": 0},
        "reminded_at": MAYBE_MOMENT,
        "escalated_at": MAYBE_MOMENT,
    },
}


def deadline_paths() -> dict[str, Any]:
    """The path of task deadlines."""
    return {
        "/v1/task-deadlines": reader_get(
            "Open verification tasks with their deadlines (overdue=true: the late).",
            [
                query("overdue", {"type": "string", "enum": ["true", "false"]}),
                query("region", REGION_PREFIX),
                *cursor_query(),
            ],
            page_of(_DEADLINE),
            errors={"400": "Invalid parameter or cursor."},
        )
    }
