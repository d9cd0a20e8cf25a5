"""OpenAPI paths of the assessment KPIs: a month per unit (JSON, CSV, XLSX) and the trend."""

from __future__ import annotations

from typing import Any

from certhub.hub.accountability.kpis import KPIS
from certhub.hub.api.openapi_parts import json_response, problem_response

_MONEY = {"overpaid", "recovered", "written_off"}
_RATIOS = {
    "coverage",
    "overdue_avg_months",
    "mianban_share",
    "report_compliance",
    "task_days_median",
    "task_days_p90",
    "recovery_rate",
    "biometric_coverage",
    "rating_avg",
}


def _kpi_schema(name: str, definition: str) -> dict[str, Any]:
    if name in _MONEY:
        return {"type": "string", "pattern": r"^[0-9]+\.[0-9]{2}$", "description": definition}
    if name in _RATIOS:
        return {"type": ["number", "null"], "minimum": 0, "description": definition}
    return {"type": "integer", "minimum": 0, "description": definition}


ROW: dict[str, Any] = {
    "type": "object",
    "required": ["unit", *(k.name for k in KPIS)],
    "properties": {
        "unit": {"type": "string", "description": "region code of the unit, or 'all'"},
        **{k.name: _kpi_schema(k.name, k.definition) for k in KPIS},
    },
}
_PERIOD = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"}
_AREA = {"name": "area", "in": "query", "schema": {"type": "string", "pattern": "^[0-9]{6,12}$"}}
_ERRORS = {
    "400": problem_response("Invalid period, level, area or format."),
    "401": problem_response("Missing, invalid or expired bearer token."),
    "403": problem_response("The token's key may not read, or not that area."),
}


def kpi_paths() -> dict[str, Any]:
    """The paths of the assessment KPIs."""
    return {
        "/v1/kpis": {
            "get": {
                "summary": "One month's KPIs per unit of a level inside an area, and their total.",
                "security": [{"bearer": []}],
                "parameters": [
                    {"name": "period", "in": "query", "required": True, "schema": _PERIOD},
                    {
                        "name": "level",
                        "in": "query",
                        "schema": {"type": "string", "enum": ["city", "county", "town", "village"]},
                    },
                    _AREA,
                    {
                        "name": "format",
                        "in": "query",
                        "schema": {"type": "string", "enum": ["json", "csv", "xlsx"]},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "The figures (JSON) or the table to download (CSV, XLSX).",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["period", "level", "area", "units", "total"],
                                    "properties": {
                                        "period": _PERIOD,
                                        "level": {"type": "string"},
                                        "area": {"type": ["string", "null"]},
                                        "units": {"type": "array", "items": ROW},
                                        "total": {"oneOf": [ROW, {"type": "null"}]},
                                    },
                                }
                            },
                            "text/csv": {"schema": {"type": "string"}},
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                                "schema": {"type": "string", "format": "binary"}
                            },
                        },
                    },
                    **_ERRORS,
                },
            }
        },
        "/v1/kpis/trend": {
            "get": {
                "summary": "The area's KPIs for each of the 12 months up to a month.",
                "security": [{"bearer": []}],
                "parameters": [{"name": "to", "in": "query", "schema": _PERIOD}, _AREA],
                "responses": {
                    "200": json_response(
                        "Twelve months, oldest first.",
                        {
                            "type": "object",
                            "required": ["area", "to", "months"],
                            "properties": {
                                "area": {"type": ["string", "null"]},
                                "to": _PERIOD,
                                "months": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["period"],
                                        "properties": {"period": _PERIOD},
                                    },
                                },
                            },
                        },
                    ),
                    **_ERRORS,
                },
            }
        },
    }
