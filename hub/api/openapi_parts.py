"""Building blocks of the OpenAPI document, shared by its parts (one module, no cycle)."""

from __future__ import annotations

from typing import Any

__all__ = [
    "json_response",
    "page_of",
    "problem_response",
    "pull_operation",
    "push_operation",
    "query",
    "reader_get",
    "ref",
]


def ref(name: str) -> dict[str, str]:
    """A JSON Schema reference to ``components/schemas/{name}``."""
    return {"$ref": f"#/components/schemas/{name}"}


def problem_response(description: str) -> dict[str, Any]:
    """A response documented as an ``application/problem+json`` body."""
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": ref("Problem")}},
    }


def json_response(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    """A response with an ``application/json`` body of ``schema``."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def push_operation(summary: str, types: list[str]) -> dict[str, Any]:
    """The POST of a push endpoint: a compact JWS in, the hub's receipt out."""
    return {
        "post": {
            "summary": summary,
            "x-certhub-payload-types": [f"/v1/schemas/{name}" for name in types],
            "requestBody": {
                "required": True,
                "content": {"application/jose": {"schema": ref("CompactJWS")}},
            },
            "responses": {
                "202": json_response("Durably recorded; the hub's signed receipt.", ref("Receipt")),
                "400": problem_response("Malformed message, payload or JSON."),
                "401": problem_response("Unknown key, bad signature, revoked or expired key."),
                "403": problem_response(
                    "The sender may not send this type, or header sender mismatch."
                ),
                "409": problem_response("Message id reused for different bytes (replay)."),
                "413": problem_response("Body larger than the configured limit."),
                "415": problem_response("Not application/jose."),
                "422": problem_response("Payload violates the canonical schema."),
                "503": problem_response("The ledger cannot commit; retry."),
            },
        }
    }


def pull_operation(summary: str) -> dict[str, Any]:
    """The GET of a provincial pull endpoint: cursor paging under a bearer token."""
    return {
        "get": {
            "summary": summary,
            "security": [{"bearer": []}],
            "parameters": [
                {"name": "after", "in": "query", "schema": {"type": "string"}},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1}},
            ],
            "responses": {
                "200": json_response("One page, oldest first.", ref("Page")),
                "400": problem_response("Invalid cursor or limit."),
                "401": problem_response("Missing, invalid or expired bearer token."),
                "403": problem_response("The token's key may not read."),
            },
        }
    }


def query(name: str, schema: dict[str, Any], *, required: bool = False) -> dict[str, Any]:
    """A query parameter."""
    return {"name": name, "in": "query", "required": required, "schema": schema}


def page_of(item: dict[str, Any]) -> dict[str, Any]:
    """A page of a list endpoint: ``items``, ``next_cursor``, ``has_more``."""
    return {
        "type": "object",
        "required": ["items", "next_cursor", "has_more"],
        "properties": {
            "items": {"type": "array", "items": item},
            "next_cursor": {"type": "string"},
            "has_more": {"type": "boolean"},
        },
    }


def reader_get(
    summary: str,
    parameters: list[dict[str, Any]],
    body: dict[str, Any],
    *,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The GET of a read endpoint under a bearer token: 200 ``body``, 401, 403, and ``errors``
    (status → description) such as a 400 for bad parameters or a 404."""
    responses: dict[str, Any] = {
        "200": json_response("OK", body),
        "401": problem_response("Missing, invalid or expired bearer token."),
        "403": problem_response("The token's key may not read."),
    }
    responses |= {status: problem_response(text) for status, text in (errors or {}).items()}
    return {
        "get": {
            "summary": summary,
            "security": [{"bearer": []}],
            "parameters": parameters,
            "responses": responses,
        }
    }
