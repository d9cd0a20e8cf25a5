"""The OpenAPI description of the comparison's run summaries (``hub/api/comparison_routes.py``)."""

from __future__ import annotations

from typing import Any

from certhub.hub.api.openapi_parts import json_response, problem_response

__all__ = ["comparison_paths"]

_COUNTS: dict[str, Any] = {"type": "object", "additionalProperties": {"type": "integer"}}
_SUMMARY: dict[str, Any] = {
    "type": "object",
    "required": [
        "run_id", "period", "city", "as_of", "roster", "certified", "exempt_ratio",
        "tasks", "reversals", "review", "unmatched", "refused", "cities", "durations_seconds",
    ],
    "properties": {
        "run_id": {"type": "string"},
        "period": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
        "city": {"type": ["string", "null"]},
        "as_of": {"type": "string", "format": "date"},
        "roster": {"type": "integer"},
        "certified": {"type": "integer"},
        "exempt_ratio": {"type": "number", "minimum": 0, "maximum": 1},
        "tasks": {
            "type": "object",
            "description": "Task proposals by kind, then by status (open, awaiting_second_source).",
            "additionalProperties": _COUNTS,
        },
        "withheld": {
            **_COUNTS,
            "description": (
                "Seen alive but not certified when the run was recorded, by reason "
                "(task_open, benefit_closed, task_confirmed, report_under_review, "
                "roster_terminated): "
                "not in certified."
            ),
        },
        "seen_alive_candidates": {
            "type": "integer",
            "description": "What the run found to certify, before the ledger was asked.",
        },
        "reversals": {"type": "integer"},
        "review": {"type": "integer"},
        "unmatched": _COUNTS,
        "refused": {
            "type": "object",
            "description": "Refused rows by source, then reason: a count and masked samples.",
        },
        "cities": {"type": "object"},
        "durations_seconds": {"type": "object", "additionalProperties": {"type": "number"}},
        "ledger": {
            "type": "object",
            "description": "What the ledger did with the run's results (absent: --no-ledger).",
        },
        "state": {
            "type": "string",
            "enum": ["queued", "running", "completed", "failed"],
            "description": "A run by city (--by-city): where it is; absent for a one-pass run.",
        },
        "partitions": {
            "type": "object",
            "description": "A run by city: each city's partition (state, attempts, last error).",
            "additionalProperties": {
                "type": "object",
                "required": ["state", "attempts", "error"],
                "properties": {
                    "state": {
                        "type": "string",
                        "enum": ["queued", "running", "retrying", "done", "failed"],
                    },
                    "attempts": {"type": "integer", "minimum": 0},
                    "error": {"type": ["string", "null"]},
                },
            },
        },
    },
}  # fmt: skip


def comparison_paths() -> dict[str, Any]:
    """``/v1/comparison-runs/{run_id}``."""
    return {
        "/v1/comparison-runs/{run_id}": {
            "get": {
                "summary": "One monthly information comparison run's summary.",
                "description": (
                    "Counts by city, kind and outcome, the 免办 ratio, refused rows (ID numbers "
                    "masked), durations and the ledger's tally. A reader confined to an area "
                    "sees the runs of cities inside it; the province-wide run needs a "
                    "province-wide reader."
                ),
                "security": [{"bearer": []}],
                "parameters": [
                    {
                        "name": "run_id",
                        "in": "path",
                        "required": True,
                        "description": "`<YYYY-MM>-all` or `<YYYY-MM>-<city prefix 4401..4453>`",
                        "schema": {"type": "string"},
                    }
                ],
                "responses": {
                    "200": json_response("The run's summary.", _SUMMARY),
                    "400": problem_response("Not a comparison run id."),
                    "401": problem_response("Missing, invalid or expired bearer token."),
                    "403": problem_response("The token's key may not read."),
                    "404": problem_response("No such run (or not inside the reader's area)."),
                },
            }
        }
    }
