"""OpenAPI paths of the procedure: decisions, restorations, roster, tasks, compliance, stats."""

from __future__ import annotations

from typing import Any

from certhub.hub.api.openapi_parts import (
    json_response,
    problem_response,
    pull_operation,
    push_operation,
)

_TASK_PAGE = {"$ref": "#/components/schemas/VerificationTaskPage"}
_TASK = {"$ref": "#/components/schemas/VerificationTaskItem"}


def _param(name: str, where: str = "query", **schema: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "schema": schema or {"type": "string"},
    }


def _reader_get(summary: str, params: list[dict[str, Any]], body: dict[str, Any]) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "security": [{"bearer": []}],
            "parameters": params,
            "responses": {
                "200": json_response("OK", body),
                "400": problem_response("Invalid parameter, cursor or period."),
                "401": problem_response("Missing, invalid or expired bearer token."),
                "403": problem_response("The token's key may not read."),
            },
        }
    }


def _with_404(operation: dict[str, Any], description: str) -> dict[str, Any]:
    operation["get"]["responses"]["404"] = problem_response(description)
    return operation


def _signed_post(summary: str, types: list[str], params: list[dict[str, Any]]) -> dict[str, Any]:
    operation = push_operation(summary, types)
    operation["post"]["parameters"] = params
    operation["post"]["responses"] |= {
        "404": problem_response("No such item or task."),
        "409": problem_response("Out of order, concurrent change, or replay."),
    }
    return operation


def procedure_paths() -> dict[str, Any]:
    """The paths added by the province's procedure."""
    decision_params = [
        _param(
            "collection",
            "path",
            type="string",
            enum=[
                "reports",
                "certifications",
                "restorations",
                "write-offs",
                "suspension-proposals",
            ],
        ),
        _param("item_id", "path", type="string", pattern="^[0-9]{1,18}$"),
    ]
    task_param = [_param("task_id", "path")]
    period = _param("period", type="string", pattern="^[0-9]{4}-[0-9]{2}$")
    return {
        "/v1/{collection}/{item_id}/decisions": _signed_post(
            "A signed decision (accept 受理 / approve or reject 审核) on one item.",
            ["decision/v1"],
            decision_params,
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
        "/v1/verification-tasks": _reader_get(
            "The verification list (待核实名单) by status and region, by cursor.",
            [
                _param(
                    "status", type="string", enum=["open", "in_progress", "confirmed", "cleared"]
                ),
                _param("region", type="string", pattern="^[0-9]{6,12}$"),
                _param("after"),
                _param("limit", type="integer", minimum=1),
            ],
            _TASK_PAGE,
        ),
        "/v1/verification-tasks/{task_id}": _with_404(
            _reader_get("One verification task.", task_param, _TASK), "No such task."
        ),
        "/v1/verification-tasks/{task_id}/transitions": _signed_post(
            "A signed task step; a confirmation terminates or suspends the benefit.",
            ["task_transition/v1"],
            task_param,
        ),
        "/v1/compliance": _reader_get(
            "Each reporting unit's status for a month: reported, zero_reported, missing.",
            [period],
            {"$ref": "#/components/schemas/Compliance"},
        ),
        "/v1/stats": _reader_get(
            "Counts for a month grouped by city, county, reason or method.",
            [
                period,
                _param("group_by", type="string", enum=["city", "county", "reason", "method"]),
            ],
            {"$ref": "#/components/schemas/Stats"},
        ),
    }
