"""OpenAPI paths of the inbound adapters' endpoints (native pushes, webhooks, uploads)."""

from __future__ import annotations

from typing import Any

from certhub.hub.api.openapi_parts import json_response, problem_response, ref

_ADAPTER = {
    "name": "adapter",
    "in": "path",
    "required": True,
    "description": "Inbound adapter name, e.g. yunfu, gdrs_app, yueshengshi, yuezhizhu, "
    "ss_terminal (messages) or zhaoqing (uploads).",
    "schema": {"type": "string", "pattern": "^[a-z0-9_]{1,64}$"},
}
_ROW_REPORT: dict[str, Any] = {
    "type": "object",
    "required": ["total", "accepted", "duplicate", "rejected", "rows"],
    "properties": {
        "total": {"type": "integer"},
        "accepted": {"type": "integer"},
        "duplicate": {"type": "integer"},
        "rejected": {"type": "integer"},
        "rows": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["row", "status"],
                "properties": {
                    "row": {"type": "integer", "description": "Line number in the file."},
                    "status": {"type": "string", "enum": ["accepted", "duplicate", "rejected"]},
                    "column": {"type": "string"},
                    "reason": {"type": "string", "description": "ID numbers masked."},
                    "message_id": {"type": "string"},
                    "sequence": {"type": "integer"},
                },
            },
        },
    },
}
_REFUSALS = {
    "400": problem_response("Not a well-formed signed request."),
    "401": problem_response("Signature, key, timestamp or nonce headers do not authenticate."),
    "404": problem_response("No such inbound adapter (or not one for this endpoint)."),
    "409": problem_response("A replayed callback, or a message id reused."),
    "413": problem_response("Body larger than the adapter's limit."),
    "415": problem_response("Not the media type this adapter takes."),
    "422": problem_response("Nothing usable: `errors` lists each problem (row, column, detail)."),
    "503": problem_response("The ledger cannot commit; retry (idempotent)."),
}


def inbound_paths() -> dict[str, Any]:
    """The inbound adapters' endpoints."""
    return {
        "/v1/inbound/{adapter}/messages": {
            "post": {
                "summary": "One department-signed native record (city platform JSON report, "
                "channel webhook callback), translated and recorded like a signed push.",
                "parameters": [_ADAPTER],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/jose": {"schema": ref("CompactJWS")},
                        "application/json": {"schema": {"type": "object"}},
                    },
                },
                "responses": {
                    "202": json_response(
                        "Durably recorded; the hub's signed receipt.", ref("Receipt")
                    ),
                    **_REFUSALS,
                },
            }
        },
        "/v1/inbound/{adapter}/uploads": {
            "post": {
                "summary": "A file of records (a town's monthly CSV): every row validated "
                "first, then each good row recorded; the answer reports every row.",
                "parameters": [
                    _ADAPTER,
                    {"name": "town", "in": "query", "schema": {"type": "string"}},
                    {"name": "period", "in": "query", "schema": {"type": "string"}},
                ],
                "requestBody": {
                    "required": True,
                    "content": {"text/csv": {"schema": {"type": "string"}}},
                },
                "responses": {"200": json_response("One entry per row.", _ROW_REPORT), **_REFUSALS},
            }
        },
    }
