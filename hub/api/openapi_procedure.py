"""OpenAPI paths of the procedure: decisions, restorations, roster, tasks, compliance, stats."""

from __future__ import annotations

from typing import Any

from certhub.hub.api.openapi_parts import (
    REGION_PREFIX,
    cursor_query,
    path_param,
    pull_operation,
    push_operation,
    query,
    reader_get,
    ref,
)

_TASK_PAGE = {"$ref": "#/components/schemas/VerificationTaskPage"}
_TASK = {"$ref": "#/components/schemas/VerificationTaskItem"}


_BAD_QUERY = {"400": "Invalid parameter, cursor or period."}
_ITEM_ERRORS = {
    "404": "No such item or task.",
    "409": "Out of order, concurrent change, or replay.",
}


def _items_under_review(summary: str) -> dict[str, Any]:
    """The GET of a list of items under review (hub/api/restoration_proposal_routes.py's
    ``items_under_review``): by ``status`` (``open`` or one review status), region prefix
    and cursor; a page of pull items."""
    status = {"type": "string", "enum": ["open", "received", "accepted", "approved", "rejected"]}
    return reader_get(
        summary,
        [query("status", status), query("region", REGION_PREFIX), *cursor_query()],
        ref("Page"),
        errors=_BAD_QUERY,
    )


def procedure_paths() -> dict[str, Any]:
    """The paths added by the province's procedure."""
    decision_params = [
        path_param(
            "collection",
            {
                "type": "string",
                "enum": [
                    "reports",
                    "certifications",
                    "restorations",
                    "write-offs",
                    "suspension-proposals",
                    "restoration-proposals",
                    "termination-amendments",
                ],
            },
        ),
        path_param("item_id", {"type": "string", "pattern": "^[0-9]{1,18}$"}),
    ]
    task_param = [path_param("task_id")]
    period = query("period", {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"})
    return {
        "/v1/{collection}/{item_id}/decisions": push_operation(
            "A signed decision (accept 受理 / approve or reject 审核) on one item.",
            ["decision/v1"],
            parameters=decision_params,
            errors=_ITEM_ERRORS,
        ),
        "/v1/restorations": {
            **push_operation(
                "Request one restoration; checked against the roster.", ["restoration/v1"]
            ),
            **pull_operation("Restoration requests with their review status."),
        },
        "/v1/roster": push_operation(
            "The provincial system's roster entry for one person.", ["benefit_record/v1"]
        ),
        "/v1/decisions": pull_operation("Signed decisions by cursor."),
        "/v1/outcomes": pull_operation(
            "Hub-signed task states, terminations, suspensions, overpayments."
        ),
        "/v1/restoration-proposals": {
            **_items_under_review(
                "Restoration proposals (voided terminations) by review status and region, by "
                "cursor; open (received or accepted) by default."
            ),
            **push_operation(
                "Staff's own proposal to restore a voided termination (the hub's rejected, or "
                "no month to back-pay); checked and decided as the hub's.",
                ["restoration_proposal/v1"],
            ),
        },
        "/v1/termination-amendments": _items_under_review(
            "Amendments of confirmed deaths (a later record dating the death in an earlier "
            "month) by review status and region, by cursor; open (received or accepted) by "
            "default. Decided at /v1/termination-amendments/{item}/decisions."
        ),
        "/v1/verification-tasks": reader_get(
            "The verification list (待核实名单) by status and region, by cursor.",
            [
                query(
                    "status",
                    {"type": "string", "enum": ["open", "in_progress", "confirmed", "cleared"]},
                ),
                query("region", REGION_PREFIX),
                *cursor_query(),
            ],
            _TASK_PAGE,
            errors=_BAD_QUERY,
        ),
        "/v1/verification-tasks/{task_id}": reader_get(
            "One verification task.",
            task_param,
            _TASK,
            errors=_BAD_QUERY | {"404": "No such task."},
        ),
        "/v1/verification-tasks/{task_id}/transitions": push_operation(
            "A signed task step; a confirmation terminates or suspends the benefit.",
            ["task_transition/v1"],
            parameters=task_param,
            errors=_ITEM_ERRORS,
        ),
        "/v1/compliance": reader_get(
            "Each reporting unit's status for a month: reported, zero_reported, missing.",
            [period],
            {"$ref": "#/components/schemas/Compliance"},
            errors=_BAD_QUERY,
        ),
        "/v1/stats": reader_get(
            "Counts for a month grouped by city, county, reason or method.",
            [
                period,
                query(
                    "group_by", {"type": "string", "enum": ["city", "county", "reason", "method"]}
                ),
            ],
            {"$ref": "#/components/schemas/Stats"},
            errors=_BAD_QUERY,
        ),
    }
