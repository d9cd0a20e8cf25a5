"""OpenAPI paths of the public disclosure (anonymous): JSON or CSV, and the page."""

from __future__ import annotations

from typing import Any

from certhub.hub.accountability.disclosure import ROW_FIELDS
from certhub.hub.api.openapi_parts import problem_response

_COUNT = {"type": ["integer", "null"], "minimum": 0}
_RATIO = {"type": ["number", "null"], "minimum": 0}
_ROW: dict[str, Any] = {
    "type": "object",
    "required": list(ROW_FIELDS),
    "properties": {
        "level": {"type": "string", "enum": ["province", "city", "county"]},
        "code": {"type": "string", "pattern": "^[0-9]{6}$"},
        "name": {"type": "string"},
        "certified": _COUNT,
        "certified_by_method": {"type": "object", "additionalProperties": _COUNT},
        "mianban_share": _RATIO,
        "suspensions": _COUNT,
        "terminations": _COUNT,
        "restorations": _COUNT,
        "recoveries": _COUNT,
        "recovered_amount": {"type": ["string", "null"], "pattern": r"^[0-9]+\.[0-9]{2}$"},
        "comparison_tasks_opened": _COUNT,
        "comparison_tasks_cleared": _COUNT,
        "comparison_error_rate": _RATIO,
    },
}
_PERIOD = {
    "name": "period",
    "in": "query",
    "required": True,
    "schema": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
}


def disclosure_paths() -> dict[str, Any]:
    """The paths of the public disclosure."""
    bad = problem_response("Not a finished month (YYYY-MM), or an unknown format.")
    return {
        "/v1/public/disclosure": {
            "get": {
                "summary": "A finished month's figures by county, city and province (anonymous).",
                "parameters": [
                    _PERIOD,
                    {
                        "name": "format",
                        "in": "query",
                        "schema": {"type": "string", "enum": ["json", "csv"]},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "null marks a withheld figure (see note).",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": [
                                        "period",
                                        "threshold",
                                        "note",
                                        "programme",
                                        "rows",
                                    ],
                                    "properties": {
                                        "period": {"type": "string"},
                                        "threshold": {"type": "integer"},
                                        "note": {"type": "string"},
                                        "programme": {"type": "array"},
                                        "rows": {"type": "array", "items": _ROW},
                                    },
                                }
                            },
                            "text/csv": {"schema": {"type": "string"}},
                        },
                    },
                    "400": bad,
                },
            }
        },
        "/public/disclosure": {
            "get": {
                "operationId": "getPublicDisclosurePage",
                "summary": "The same figures as a page (HTML, no script).",
                "parameters": [_PERIOD],
                "responses": {
                    "200": {
                        "description": "The page.",
                        "content": {"text/html": {"schema": {"type": "string"}}},
                    },
                    "400": bad,
                },
            }
        },
    }
