"""The OpenAPI paths of the coordinators' entrance: its pages and ``/v1/my-reports``."""

from __future__ import annotations

from typing import Any

from certhub.hub.api.openapi_parts import (
    MOMENT,
    json_response,
    page_asset,
    problem_response,
)

__all__ = ["entrance_paths"]

STAGES = [
    "recorded",
    "received",
    "accepted",
    "rejected",
    "approved",
    "task_open",
    "cleared",
    "confirmed",
    "terminated",
    "suspended",
]
_NULLABLE_TEXT: dict[str, Any] = {"type": ["string", "null"]}
_MY_REPORT: dict[str, Any] = {
    "type": "object",
    "required": ["sequence", "message_id", "type", "received_at", "stage", "receipt"],
    "properties": {
        "sequence": {"type": "integer", "minimum": 1},
        "message_id": {"type": "string"},
        "type": {"type": "string", "enum": ["eligibility_report/v1", "zero_report/v1"]},
        "received_at": MOMENT,
        "reason": _NULLABLE_TEXT,
        "period": _NULLABLE_TEXT,
        "event_date": _NULLABLE_TEXT,
        "person": {
            "type": ["object", "null"],
            "required": ["name", "id_number"],
            "properties": {
                "name": {"type": "string"},
                "id_number": {"type": "string", "description": "masked: 4401**********123X"},
            },
        },
        "review": {
            "type": ["string", "null"],
            "enum": [None, "received", "accepted", "approved", "rejected"],
        },
        "task": {
            "type": ["object", "null"],
            "required": ["task_id", "status"],
            "properties": {
                "task_id": {"type": "string"},
                "status": {"type": "string"},
                "disposal": _NULLABLE_TEXT,
            },
        },
        "stage": {"type": "string", "enum": STAGES},
        "receipt": {"type": "string"},
    },
}


def entrance_paths() -> dict[str, Any]:
    """``/app/``, ``/app/{asset}`` and ``/v1/my-reports``."""
    return {
        "/app/": page_asset("The coordinators' mobile entrance (HTML).", named=False),
        "/app/{asset}": page_asset(
            "A file of the entrance: ES module, style sheet, service worker, manifest, icon.",
            named=True,
        ),
        "/v1/my-reports": {
            "get": {
                "summary": "The reader's own reports, newest first, each with its live stage.",
                "security": [{"bearer": []}],
                "parameters": [
                    {
                        "name": "before",
                        "in": "query",
                        "schema": {"type": "string", "pattern": "^[0-9]{1,18}$"},
                    },
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                ],
                "responses": {
                    "200": json_response(
                        "One page; `next_before` continues it (null on the last).",
                        {
                            "type": "object",
                            "required": ["items", "next_before"],
                            "properties": {
                                "items": {"type": "array", "items": _MY_REPORT},
                                "next_before": {"type": ["integer", "null"]},
                            },
                        },
                    ),
                    "400": problem_response("Bad `before` or `limit`."),
                    "401": problem_response("Missing, invalid or expired bearer token."),
                    "403": problem_response("The token's key may not read."),
                },
            }
        },
    }
