"""OpenAPI paths of the certification register's lists."""

from __future__ import annotations

from typing import Any, get_args

from certhub.hub.api.openapi_parts import cursor_query, query, reader_get
from certhub.hub.rules.biometrics import Route
from certhub.hub.store.register_reads import SUMMARY_FIELDS

_MONTH = {"type": ["string", "null"], "pattern": "^[0-9]{4}-[0-9]{2}$"}
_DAY = {"type": ["string", "null"], "format": "date"}
_ENTRY: dict[str, Any] = {
    "type": "object",
    "required": [
        "person",
        "status",
        "certify_by",
        "roster_status",
        "suspended_since",
        "last_certification",
        "certification_of_record",
        "cycle",
        "due_month",
        "liable_from",
    ],
    "properties": {
        "person": {
            "type": "object",
            "required": ["id_number", "name", "area"],
            "properties": {
                "id_number": {"type": "string"},
                "name": {"type": ["string", "null"]},
                "area": {"type": ["string", "null"], "description": "village code, else county"},
            },
        },
        "status": {
            "type": "string",
            "enum": [
                "certified",
                "due",
                "overdue",
                "not_certified",
                "suspended",
                "terminated",
                "not_on_roster",
            ],
        },
        "certify_by": {
            "type": "string",
            "enum": list(get_args(Route)),
            "description": "how the person can certify now (biometric models enrolled, failed"
            " face attempts since the last pass)",
        },
        "roster_status": {"type": ["string", "null"]},
        "suspended_since": _DAY,
        "last_certification": {
            "type": ["object", "null"],
            "required": ["on", "method", "channel", "ledger_sequence"],
            "properties": {
                "on": {"type": "string", "format": "date"},
                "method": {"type": "string"},
                "channel": {"type": "string"},
                "ledger_sequence": {"type": "integer"},
            },
        },
        "certification_of_record": {
            "type": ["object", "null"],
            "required": ["ledger_sequence", "month"],
            "properties": {"ledger_sequence": {"type": "integer"}, "month": _MONTH},
        },
        "cycle": {
            "type": ["object", "null"],
            "required": ["from", "to", "covered_until"],
            "properties": {
                "from": _MONTH,
                "to": _MONTH,
                "covered_until": {"type": "string", "format": "date"},
            },
        },
        "due_month": _MONTH,
        "liable_from": {
            **_DAY,
            "description": "the first day the person is liable to suspension if still uncertified",
        },
    },
}
_PAGE: dict[str, Any] = {
    "type": "object",
    "required": ["items", "next_cursor", "has_more"],
    "properties": {
        "list": {"type": "string"},
        "on": {"type": "string", "format": "date"},
        "items": {"type": "array", "items": _ENTRY},
        "next_cursor": {"type": "string"},
        "has_more": {"type": "boolean"},
    },
}
_LISTS = {
    "due": "Active pensioners due this month or in the next within-1 months (within=1..3).",
    "overdue": "Active pensioners past their due month (or never certified), with liable_from.",
    "suspended": "Suspended on the roster and not covered by a certification when it began.",
    "long-suspended": "Suspended for more than 365 days (the clean-up list; rule 7).",
    "people": "Everyone on the roster in an area (required), by part of the name or ID ending.",
}


_COUNT = {"type": "integer", "minimum": 0}
_SUMMARY: dict[str, Any] = {
    "type": "object",
    "required": ["on", "area", "people", "last_12_months"],
    "properties": {
        "on": {"type": "string", "format": "date"},
        "area": {"type": ["string", "null"], "description": "the region-code prefix counted"},
        "people": {
            "type": "object",
            "required": list(SUMMARY_FIELDS),
            "properties": dict.fromkeys(SUMMARY_FIELDS, _COUNT),
        },
        "last_12_months": {
            "type": "object",
            "required": ["people_certified", "certifications"],
            "properties": {"people_certified": _COUNT, "certifications": _COUNT},
        },
    },
}


def register_paths() -> dict[str, Any]:
    """The register's list paths and its summary."""
    common = [
        query("area", {"type": "string", "pattern": "^[0-9]{6}([0-9]{3}){0,2}$"}),
        query("on", {"type": "string", "format": "date"}),
        *cursor_query(),
    ]
    extra = {
        "due": [query("within", {"type": "integer", "enum": [1, 2, 3]})],
        "people": [
            query("name", {"type": "string", "minLength": 1, "maxLength": 20}),
            query("id_ending", {"type": "string", "pattern": "^[0-9X]{4,6}$"}),
        ],
    }
    lists = {
        f"/v1/register/{name}": reader_get(
            summary,
            common + extra.get(name, []),
            _PAGE,
            ok="One page in ID-number order.",
            errors={"400": "Invalid parameter or cursor."},
        )
        for name, summary in _LISTS.items()
    }
    summary = reader_get(
        "People of an area in each state; people certified in 12 months.",
        common[:2],
        _SUMMARY,
        ok="Counts of people (not of events).",
        errors={"400": "Invalid parameter."},
    )
    return {**lists, "/v1/register/summary": summary}
