"""The OpenAPI 3.1 document of the hub's HTTP API.

Request bodies of push endpoints are compact JWS strings (``application/jose``);
the canonical payload inside each is described by its JSON Schema, published at
``/v1/schemas/{type}`` and linked from here with ``x-certhub-payload-types``.

Adding an operation: write its summary, parameters, body and every response
(problems included: ``tests/conftest.py`` checks every answer against this
document). Its ``operationId`` (``getEvidenceByDigest``), tag and shared
headers are given by ``openapi_conventions.apply_conventions``; read the rules
there. A shipped ``operationId`` never changes.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from certhub.hub.api.openapi_biometrics import biometric_paths
from certhub.hub.api.openapi_comparison import comparison_paths
from certhub.hub.api.openapi_conventions import apply_conventions
from certhub.hub.api.openapi_deadlines import deadline_paths
from certhub.hub.api.openapi_disclosure import disclosure_paths
from certhub.hub.api.openapi_enrolment import enrolment_paths
from certhub.hub.api.openapi_entrance import entrance_paths
from certhub.hub.api.openapi_inbound import inbound_paths
from certhub.hub.api.openapi_kpis import kpi_paths
from certhub.hub.api.openapi_parts import (
    json_response,
    page_of,
    problem_response,
    pull_operation,
    push_operation,
    ref,
)
from certhub.hub.api.openapi_procedure import procedure_paths
from certhub.hub.api.openapi_ratings import rating_paths
from certhub.hub.api.openapi_recovery import recovery_paths
from certhub.hub.api.openapi_register import register_paths
from certhub.hub.api.openapi_schemas import reader_schemas, task_schemas
from certhub.hub.api.openapi_service_points import service_point_paths
from certhub.hub.api.signer_revocation import REVOKED_KEY_SCHEMA
from certhub.hub.core.build import package_version
from certhub.hub.problems import ALL_PROBLEMS
from certhub.hub.rules.decisions import ItemStatus
from certhub.schemas import problem_type_uri

JWS_PATTERN = r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$"
# What names one ledger record: in a receipt and in a pulled item alike.
_RECORD_FIELDS: dict[str, Any] = {
    "sequence": {"type": "integer"},
    "message_id": {"type": "string"},
    "sender": {"type": "string"},
    "type": {"type": "string"},
    "received_at": {"type": "string", "format": "date-time"},
    "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
}
_EVIDENCE_META: dict[str, Any] = {
    "type": "object",
    "required": ["sha256", "media_type", "size", "href"],
    "properties": {
        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "media_type": {"type": "string", "enum": ["image/jpeg", "image/png", "application/pdf"]},
        "size": {"type": "integer", "minimum": 1},
        "href": {"type": "string"},
    },
}


def _simple_get(
    summary: str, content_type: str = "application/json", schema: dict[str, Any] | None = None
) -> dict[str, Any]:
    content = {content_type: {"schema": schema or {}}}
    return {
        "get": {"summary": summary, "responses": {"200": {"description": "OK", "content": content}}}
    }


def _readiness() -> dict[str, Any]:
    operation = _simple_get("Readiness, with per-check detail.", schema=ref("Readiness"))
    operation["get"]["responses"]["503"] = json_response(
        "Not ready; `checks` says which.", ref("Readiness")
    )
    return operation


def _components() -> dict[str, Any]:
    return {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        "schemas": {
            "CompactJWS": {"type": "string", "pattern": JWS_PATTERN},
            "Problem": {
                "type": "object",
                "required": ["type", "title", "status", "detail"],
                "properties": {
                    "type": {"type": "string", "enum": [problem_type_uri(s) for s in ALL_PROBLEMS]},
                    "title": {"type": "string"},
                    "status": {"type": "integer"},
                    "detail": {"type": "string"},
                    "instance": {"type": "string"},
                    "errors": {"type": "array", "items": {"type": "object"}},
                },
            },
            "Receipt": {
                "type": "object",
                "required": ["message_id", "sequence", "sha256", "receipt", "duplicate"],
                "properties": {
                    **_RECORD_FIELDS,
                    "duplicate": {"type": "boolean"},
                    "receipt": ref("CompactJWS"),
                },
            },
            "Page": page_of(ref("LedgerItem")),
            "LedgerItem": {
                "type": "object",
                "required": [*_RECORD_FIELDS, "payload", "jws"],
                "properties": {
                    **_RECORD_FIELDS,
                    "payload": {"type": "object", "description": "See /v1/schemas/{type}."},
                    "jws": ref("CompactJWS"),
                    "receipt": {
                        **ref("CompactJWS"),
                        "description": "The hub's receipt for a message it received. Absent "
                        "on records the hub signed itself (/v1/outcomes): their `jws` is the "
                        "hub's own signature.",
                    },
                    "status": {
                        "enum": [status.value for status in ItemStatus],
                        "description": "Review status of an item that takes decisions.",
                    },
                    "signing_key_revoked": {
                        **REVOKED_KEY_SCHEMA,
                        "description": "On an item still under review (received or "
                        "accepted) whose signing key was revoked since it was sent (a lost "
                        "phone): the key, its sender and when. The item stands; a reviewer "
                        "judges it.",
                    },
                },
            },
            **task_schemas(),
            **reader_schemas(),
        },
    }


def _with_edge_refusals(paths: dict[str, Any]) -> None:
    """Every operation that takes a body may meet the HTTP edge's refusals (hub/api/edge.py)."""
    timeout = problem_response(
        "The body did not arrive within CERTHUB_HTTP_BODY_TIMEOUT_SECONDS; connection closed."
    )
    busy = problem_response(
        "Too many bodies or messages in flight, or the outbox backlog; retry later."
    )
    busy["headers"] = {"Retry-After": {"required": True, "schema": {"type": "string"}}}
    for operations in paths.values():
        for operation in operations.values():
            if "requestBody" in operation:
                operation["responses"].setdefault("408", timeout)
                operation["responses"].setdefault("429", busy)


@cache
def openapi_document() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document (built once)."""
    reports = ["eligibility_report/v1", "zero_report/v1"]
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "certhub",
            "version": package_version(),
            "description": "Exchange hub for Guangdong's pension-eligibility certification.",
        },
        "paths": {
            **procedure_paths(),
            **enrolment_paths(),
            **inbound_paths(),
            **entrance_paths(),
            **recovery_paths(),
            **deadline_paths(),
            **biometric_paths(),
            **rating_paths(),
            **kpi_paths(),
            **disclosure_paths(),
            **comparison_paths(),
            **service_point_paths(),
            **register_paths(),
            "/v1/reports": {
                **push_operation(
                    "Push one signed eligibility or zero report.",
                    reports,
                    errors={
                        "429": "A coordinator's key filed CERTHUB_COORDINATOR_REPORTS_PER_HOUR"
                        " reports in the last hour (reports-rate-limited), or the hub is"
                        " overloaded; retry after Retry-After."
                    },
                ),
                **pull_operation("Provincial pull of reports by cursor."),
            },
            "/v1/certifications": {
                **push_operation(
                    "Push one signed certification event.", ["certification_event/v1"]
                ),
                **pull_operation("Provincial pull of certification events by cursor."),
            },
            "/v1/evidence": {
                "post": {
                    "summary": "Upload one piece of evidence (JPEG, PNG or PDF).",
                    "description": (
                        "Raw body; Content-Type is the declared media type, checked against the "
                        "content's magic bytes. At most CERTHUB_EVIDENCE_MAX_BYTES (10 MiB). "
                        "Optional RFC 9530 `Content-Digest: sha-256=:BASE64:`. Bearer token "
                        "with scope `evidence` signed by a key that may send. Stored by SHA-256, "
                        "encrypted (AES-256-GCM) under keys in SECRETS_DIR/evidence or "
                        "DATA_DIR/secrets/evidence; on PostgreSQL, evidence and its keys are "
                        "the deployment's, in the database, readable through every process."
                    ),
                    "security": [{"bearer": []}],
                    "requestBody": {
                        "required": True,
                        "content": {
                            media: {"schema": {"type": "string", "format": "binary"}}
                            for media in ("image/jpeg", "image/png", "application/pdf")
                        },
                    },
                    "responses": {
                        "201": json_response("Stored; `Location` names it.", _EVIDENCE_META),
                        "200": json_response("Already stored; nothing changed.", _EVIDENCE_META),
                        "400": problem_response("Truncated evidence or Content-Digest mismatch."),
                        "401": problem_response("Missing, invalid or expired bearer token."),
                        "403": problem_response(
                            "The token's key may not send, or lacks scope evidence."
                        ),
                        "413": problem_response("Larger than CERTHUB_EVIDENCE_MAX_BYTES."),
                        "429": problem_response(
                            "A coordinator uploaded CERTHUB_COORDINATOR_UPLOADS_PER_HOUR "
                            "files in the last hour (uploads-rate-limited); nothing stored, "
                            "retry after Retry-After."
                        ),
                        "415": problem_response("Not JPEG/PNG/PDF, or not the declared type."),
                        "422": problem_response(
                            "Not decodable as its type, data after its end, too many pixels, "
                            "GPS location, or a PDF that is encrypted or has active content."
                        ),
                        "503": problem_response(
                            "The evidence store cannot write right now (store-unavailable); "
                            "nothing stored, retry."
                        ),
                    },
                }
            },
            "/v1/evidence/{digest}": {
                "get": {
                    "summary": "Download one piece of evidence, decrypted and digest-checked.",
                    "security": [{"bearer": []}],
                    "parameters": [
                        {
                            "name": "digest",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "The evidence, as an attachment (no-store, nosniff).",
                            "content": {
                                media: {"schema": {"type": "string", "format": "binary"}}
                                for media in ("image/jpeg", "image/png", "application/pdf")
                            },
                        },
                        "400": problem_response("Not a 64-hex SHA-256 digest."),
                        "401": problem_response("Missing, invalid or expired bearer token."),
                        "403": problem_response("The token's key may not read."),
                        "404": problem_response("No evidence under this digest."),
                        "500": problem_response(
                            "Stored evidence failed its integrity check (logged)."
                        ),
                        "503": problem_response(
                            "The evidence store cannot be read right now (store-unavailable)."
                        ),
                    },
                }
            },
            "/v1/schemas": _simple_get("List canonical message types.", schema=ref("SchemaList")),
            "/v1/schemas/{name}/{version}": {
                "get": {
                    "summary": "JSON Schema of one message type.",
                    "parameters": [
                        {
                            "name": "name",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "version",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {"application/schema+json": {"schema": {}}},
                        },
                        "404": problem_response("No such message type."),
                    },
                }
            },
            "/.well-known/jwks.json": _simple_get("The hub's public keys (JWK Set)."),
            "/openapi.json": _simple_get("This document."),
            "/asyncapi.json": _simple_get(
                "The AsyncAPI 2.6 document of the AMQP channels (exchanges, queues, routing"
                " keys, message schemas) of this deployment."
            ),
            "/healthz": _simple_get("Liveness.", schema=ref("Health")),
            "/readyz": _readiness(),
            "/metrics": _simple_get("Prometheus metrics.", "text/plain"),
        },
        "components": _components(),
    }
    _with_edge_refusals(document["paths"])
    return apply_conventions(document)
