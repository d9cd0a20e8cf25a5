"""OpenAPI paths of coordinators' enrolment: codes, a phone's key bound, keys listed and revoked."""

from __future__ import annotations

from typing import Any

from certhub.hub.api.openapi_parts import (
    MAYBE_MOMENT,
    MOMENT,
    json_response,
    problem_response,
    ref,
)

__all__ = ["enrolment_paths"]

_AREA = {"type": "string", "pattern": "^44[0-9]{4}([0-9]{3}([0-9]{3})?)?$"}
_ISSUED: dict[str, Any] = {
    "type": "object",
    "required": ["code", "code_id", "village", "role", "sender", "expires_at"],
    "properties": {
        "code": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{4}-[0-9]{4}$"},
        "code_id": {"type": "string"},
        "village": {"type": "string", "pattern": "^44[0-9]{10}$"},
        "role": {"type": "string", "enum": ["coordinator"]},
        "sender": {"type": "string"},
        "expires_at": MOMENT,
    },
}
_ENROLLED: dict[str, Any] = {
    "type": "object",
    "required": ["kid", "sender", "role", "area", "may_send", "may_read", "not_after", "audience"],
    "properties": {
        "kid": {"type": "string", "description": "RFC 7638 thumbprint: the JWS header's kid"},
        "sender": {"type": "string", "description": "the JWS header's iss and the reporter id"},
        "role": {"type": "string", "enum": ["coordinator"]},
        "area": _AREA,
        "may_send": {"type": "array", "items": {"type": "string"}},
        "may_read": {"type": "boolean"},
        "not_after": MAYBE_MOMENT,
        "audience": {"type": "string", "description": "the read token's aud"},
    },
}
_KEY: dict[str, Any] = {
    "type": "object",
    "required": ["kid", "sender", "role", "area", "not_after", "revoked"],
    "properties": {
        "kid": {"type": "string"},
        "sender": {"type": "string"},
        "role": {"type": ["string", "null"]},
        "area": _AREA,
        "not_after": MAYBE_MOMENT,
        "revoked": {"type": "boolean"},
    },
}
_REVOKED: dict[str, Any] = {
    "type": "object",
    "required": ["kid", "sender", "revoked"],
    "properties": {
        "kid": {"type": "string"},
        "sender": {"type": "string"},
        "revoked": {"type": "boolean", "const": True},
    },
}
_ENROLMENT_BODY: dict[str, Any] = {
    "type": "object",
    "required": ["code", "jwk"],
    "properties": {
        "code": {"type": "string", "description": "12 digits; spaces and hyphens ignored"},
        "jwk": {
            "type": "object",
            "description": "the phone's public key: OKP Ed25519 (or EC P-256), no private members",
            "required": ["kty"],
        },
    },
}
_NO_STORE = {"Cache-Control": {"schema": {"type": "string", "const": "no-store"}}}


def _staff_post(summary: str, payload_type: str, ok: dict[str, Any]) -> dict[str, Any]:
    """A county reviewer's signed request: one compact JWS in, ``ok`` out."""
    return {
        "post": {
            "summary": summary,
            "x-certhub-payload-types": [payload_type],
            "requestBody": {
                "required": True,
                "content": {"application/jose": {"schema": ref("CompactJWS")}},
            },
            "responses": {
                **ok,
                "400": problem_response("Malformed message, invalid payload, or clock skew."),
                "401": problem_response("Unknown key, bad signature, revoked or expired key."),
                "403": problem_response(
                    "The sender may not send this type, is not a county reviewer, "
                    "or the village is outside its area."
                ),
                "409": problem_response("This signed request was already used (replay)."),
                "413": problem_response("Body larger than the configured limit."),
                "415": problem_response("Not application/jose."),
                "503": problem_response("The codes or trust store file cannot be written; retry."),
            },
        }
    }


def enrolment_paths() -> dict[str, Any]:
    """The paths of coordinators' enrolment."""
    issued = json_response("The one-time code, shown once.", _ISSUED)
    issued["headers"] = _NO_STORE
    enrolled = json_response("The key is trusted; sign with its kid and sender.", _ENROLLED)
    revoked = json_response("The key is revoked for good.", _REVOKED)
    listed = json_response(
        "The keys with an area inside the reader's area.",
        {
            "type": "object",
            "required": ["items"],
            "properties": {"items": {"type": "array", "items": _KEY}},
        },
    )
    revocations = _staff_post(
        "Revoke an enrolled key (a lost phone) inside the reviewer's area.",
        "key_revocation/v1",
        {"200": revoked},
    )
    revocations["post"]["responses"]["404"] = problem_response(
        "No enrolled key with this kid in the reviewer's area."
    )
    return {
        "/v1/enrolment-codes": _staff_post(
            "Issue a one-time code enrolling one coordinator's phone for a village.",
            "enrolment_code_request/v1",
            {"201": issued},
        ),
        "/v1/enrolments": {
            "post": {
                "summary": "Bind a phone's public key with a one-time code (no other credential).",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ENROLMENT_BODY}},
                },
                "responses": {
                    "201": enrolled,
                    "400": problem_response("Not {code, jwk} JSON, or not a usable public key."),
                    "403": problem_response("The code is unknown, used or expired."),
                    "413": problem_response("Body larger than 8 KiB."),
                    "415": problem_response("Not application/json."),
                    "429": problem_response("Too many wrong codes; retry after Retry-After."),
                    "503": problem_response("The codes or trust store file cannot be written."),
                },
            },
            "get": {
                "summary": "The enrolled (area-scoped) keys inside the reader's area.",
                "security": [{"bearer": []}],
                "responses": {
                    "200": listed,
                    "401": problem_response("Missing, invalid or expired bearer token."),
                    "403": problem_response("The token's key may not read."),
                },
            },
        },
        "/v1/enrolments/revocations": revocations,
    }
