"""Building blocks of the OpenAPI document, shared by its parts (one module, no cycle)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from certhub.hub.web.pages import MEDIA_TYPES

__all__ = [
    "MAYBE_MOMENT",
    "MOMENT",
    "REGION_PREFIX",
    "cursor_query",
    "json_response",
    "page_asset",
    "page_of",
    "path_param",
    "problem_response",
    "problem_responses",
    "pull_operation",
    "push_operation",
    "query",
    "reader_get",
    "ref",
]

MOMENT: dict[str, Any] = {"type": "string", "format": "date-time"}
"""A point in time (RFC 3339)."""
MAYBE_MOMENT: dict[str, Any] = {"type": ["string", "null"], "format": "date-time"}
"""A point in time, or null where it has not happened (yet)."""
REGION_PREFIX: dict[str, Any] = {"type": "string", "pattern": "^[0-9]{6,12}$"}
"""A region-code prefix filter: a 6-digit county up to a 12-digit village."""
_BEARER_REFUSALS: dict[str, str] = {
    "401": "Missing, invalid or expired bearer token.",
    "403": "The token's key may not read.",
}
"""Why a read under a bearer token is refused (status → description)."""


def ref(name: str) -> dict[str, str]:
    """A JSON Schema reference to ``components/schemas/{name}``."""
    return {"$ref": f"#/components/schemas/{name}"}


def problem_response(description: str) -> dict[str, Any]:
    """A response documented as an ``application/problem+json`` body."""
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": ref("Problem")}},
    }


def problem_responses(errors: Mapping[str, str] | None) -> dict[str, Any]:
    """A :func:`problem_response` for each status of ``errors`` (status → description)."""
    return {status: problem_response(text) for status, text in (errors or {}).items()}


def json_response(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    """A response with an ``application/json`` body of ``schema``."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def push_operation(
    summary: str,
    types: list[str],
    *,
    parameters: list[dict[str, Any]] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The POST of a push endpoint: a compact JWS in, the hub's receipt out; with path
    ``parameters`` and ``errors`` (status → description, e.g. 404 and 409 of the target)."""
    operation: dict[str, Any] = {
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
    if parameters:
        operation["parameters"] = parameters
    operation["responses"] |= problem_responses(errors)
    return {"post": operation}


def pull_operation(summary: str) -> dict[str, Any]:
    """The GET of a provincial pull endpoint: cursor paging under a bearer token."""
    return {
        "get": {
            "summary": summary,
            "security": [{"bearer": []}],
            "parameters": cursor_query(),
            "responses": {
                "200": json_response("One page, oldest first.", ref("Page")),
                "400": problem_response("Invalid cursor or limit."),
                **problem_responses(_BEARER_REFUSALS),
                "503": problem_response(
                    "The ledger cannot be reached (store-unavailable); retry the same page."
                ),
            },
        }
    }


def query(name: str, schema: dict[str, Any], *, required: bool = False) -> dict[str, Any]:
    """A query parameter."""
    return {"name": name, "in": "query", "required": required, "schema": schema}


def path_param(name: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    """A path parameter (a string unless ``schema`` says otherwise)."""
    return {"name": name, "in": "path", "required": True, "schema": schema or {"type": "string"}}


def cursor_query(*, empty_first: bool = False) -> list[dict[str, Any]]:
    """The query parameters of a list paged by cursor: ``after`` and ``limit``.

    ``empty_first``: a list by key whose empty first page gives ``next_cursor: ""``
    (``params.page``), so ``?after=`` is a cursor the hub issued: the beginning.
    """
    after = query("after", {"type": "string"})
    if empty_first:
        after["allowEmptyValue"] = True
    return [after, query("limit", {"type": "integer", "minimum": 1})]


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


def page_asset(summary: str, *, named: bool) -> dict[str, Any]:
    """The GET of a web page or one of its files (``named``: the ``{asset}`` path parameter),
    served under a strict Content-Security-Policy with an ETag."""
    headers = {
        name: {"required": True, "schema": {"type": "string"}}
        for name in ("Content-Security-Policy", "ETag")
    }
    media = sorted({value.split(";")[0] for value in MEDIA_TYPES.values()})
    operation: dict[str, Any] = {
        "summary": summary,
        "responses": {
            "200": {
                "description": "The file, under a strict Content-Security-Policy.",
                "headers": headers,
                "content": {name: {"schema": {}} for name in media},
            },
            "304": {"description": "The client's copy (If-None-Match) is current."},
            "404": problem_response("No such page or asset."),
        },
    }
    if named:
        operation["parameters"] = [path_param("asset")]
    return {"get": operation}


def reader_get(
    summary: str,
    parameters: list[dict[str, Any]],
    body: dict[str, Any],
    *,
    errors: dict[str, str] | None = None,
    ok: str = "OK",
) -> dict[str, Any]:
    """The GET of a read endpoint under a bearer token: 200 ``body`` (described as ``ok``),
    401, 403, and ``errors`` (status → description) such as a 400 for bad parameters or a 404."""
    responses = {"200": json_response(ok, body), **problem_responses(_BEARER_REFUSALS)}
    responses |= problem_responses(errors)
    return {
        "get": {
            "summary": summary,
            "security": [{"bearer": []}],
            "parameters": parameters,
            "responses": responses,
        }
    }
