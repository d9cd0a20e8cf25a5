"""OpenAPI paths of deadlines: open verification tasks and reports under review, due and
overdue."""

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
from certhub.hub.api.signer_revocation import REVOKED_KEY_SCHEMA, REVOKED_SOURCES_SCHEMA

_DEADLINE: dict[str, Any] = {
    "type": "object",
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


_REPORT_DEADLINE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "item_id": {"type": "integer", "description": "the report's ledger sequence"},
        "reason": {
            "type": "string",
            "enum": [*_DEADLINE["properties"]["kind"]["enum"], "other"],
        },
        "status": {
            "type": "string",
            "enum": ["received", "accepted"],
            "description": "received: the town is to accept it; accepted: the county to decide",
        },
        "county": {"type": "string"},
        "village": {"type": ["string", "null"]},
        "filed_at": MOMENT,
        **{name: _DEADLINE["properties"][name] for name in ("due_at", "overdue", "days_overdue")},
        "reminded_at": MAYBE_MOMENT,
        "escalated_at": MAYBE_MOMENT,
    },
}


def _deadline_list(
    summary: str,
    item: dict[str, Any],
    *,
    empty_first: bool = False,
    optional: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A reader's list of deadlines of ``item``'s shape, every property of which is given,
    and the ``optional`` ones when they apply (``empty_first``: see :func:`cursor_query`)."""
    required = list(item["properties"])
    item = {**item, "required": required, "properties": item["properties"] | (optional or {})}
    return reader_get(
        summary,
        [
            query("overdue", {"type": "string", "enum": ["true", "false"]}),
            query("region", REGION_PREFIX),
            *cursor_query(empty_first=empty_first),
        ],
        page_of(item),
        errors={"400": "Invalid parameter or cursor."},
    )


def deadline_paths() -> dict[str, Any]:
    """The paths of task deadlines and of reports under review's deadlines."""
    return {
        "/v1/report-deadlines": _deadline_list(
            "Reports of loss of eligibility under review with their deadlines (overdue=true:"
            " the late).",
            _REPORT_DEADLINE,
            optional={
                "signing_key_revoked": {
                    **REVOKED_KEY_SCHEMA,
                    "description": "The report's signing key was revoked since it was sent "
                    "(a lost phone): the key, its sender and when. The report stands.",
                }
            },
        ),
        "/v1/task-deadlines": _deadline_list(
            "Open verification tasks with their deadlines (overdue=true: the late).",
            _DEADLINE,
            empty_first=True,  # by task id: an empty first page's next_cursor is ""
            optional={"revoked_sources": REVOKED_SOURCES_SCHEMA},
        ),
    }
