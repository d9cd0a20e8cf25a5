"""OpenAPI path of task deadlines: open verification tasks, due and overdue."""

from __future__ import annotations

from typing import Any

from certhub.hub.api.openapi_parts import json_response, problem_response

_MOMENT = {"type": ["string", "null"], "format": "date-time"}
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
        "opened_at": {"type": "string", "format": "date-time"},
        "due_at": {"type": "string", "format": "date-time"},
        "overdue": {"type": "boolean"},
        "days_overdue": {"type": "integer", "minimum": 0},
        "reminded_at": _MOMENT,
        "escalated_at": _MOMENT,
    },
}


def deadline_paths() -> dict[str, Any]:
    """The path of task deadlines."""
    return {
        "/v1/task-deadlines": {
            "get": {
                "summary": "Open verification tasks with their deadlines (overdue=true: the late).",
                "security": [{"bearer": []}],
                "parameters": [
                    {
                        "name": "overdue",
                        "in": "query",
                        "schema": {"type": "string", "enum": ["true", "false"]},
                    },
                    {
                        "name": "region",
                        "in": "query",
                        "schema": {"type": "string", "pattern": "^[0-9]{6,12}$"},
                    },
                    {"name": "after", "in": "query", "schema": {"type": "string"}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                ],
                "responses": {
                    "200": json_response(
                        "One page by task id.",
                        {
                            "type": "object",
                            "required": ["items", "next_cursor", "has_more"],
                            "properties": {
                                "items": {"type": "array", "items": _DEADLINE},
                                "next_cursor": {"type": "string"},
                                "has_more": {"type": "boolean"},
                            },
                        },
                    ),
                    "400": problem_response("Invalid parameter or cursor."),
                    "401": problem_response("Missing, invalid or expired bearer token."),
                    "403": problem_response("The token's key may not read."),
                },
            }
        }
    }
