"""The house rules every operation of the OpenAPI document follows, applied to all of them.

Whoever adds an operation (in ``openapi.py`` or an ``openapi_<area>.py`` part)
writes its summary, parameters, body and responses. :func:`apply_conventions`
then gives every operation what the whole API shares, unless the operation
already says otherwise:

- ``operationId``: the method and the path in lowerCamelCase, ``/v1`` left
  out, each ``{param}`` as ``By<Param>`` (a second one ``And<Param>``):
  ``GET /v1/evidence/{digest}`` is ``getEvidenceByDigest``,
  ``POST /v1/verification-tasks/{task_id}/transitions`` is
  ``postVerificationTasksByTaskIdTransitions``. Ids are unique, and **never
  change once shipped** (clients generate method names from them):
  ``tests/ops/openapi_operation_ids.json`` lists every shipped id and a test
  fails if one disappears. An operation whose path moves keeps its old id by
  setting ``"operationId"`` itself.
- ``tags``: the first fixed path segment (``/v1/service-points/nearest`` is
  ``service-points``); health, metrics, keys and the API documents are
  ``meta``. A tag's description comes from :data:`TAG_DESCRIPTIONS` (add one
  there for a new area).
- Every response declares the ``X-Request-ID`` header (the correlation id,
  ``hub/api/correlation.py``); every ``429`` its ``Retry-After``.
- Shared examples (:data:`SCHEMA_EXAMPLES`) on the component schemas, each
  valid against its schema (a test checks).

Requests for a method a path does not list are answered ``405``
``method-not-allowed`` with an ``Allow`` header naming exactly the methods
documented for that path (``components.responses.MethodNotAllowed``).
"""

from __future__ import annotations

import re
from typing import Any

from certhub.hub.api.correlation import RESPONSE_HEADER
from certhub.hub.api.openapi_parts import problem_response
from certhub.schemas import problem_type_uri

__all__ = [
    "META_PATHS",
    "SCHEMA_EXAMPLES",
    "TAG_DESCRIPTIONS",
    "apply_conventions",
    "operation_id",
    "tag_of",
]

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
META_PATHS = ("/.well-known/", "/openapi.json", "/asyncapi.json", "/healthz", "/readyz", "/metrics")
"""Paths of the service itself rather than of the exchange: tag ``meta``."""

TAG_DESCRIPTIONS: dict[str, str] = {
    "meta": "Health, readiness, metrics, the hub's public keys and the API documents.",
    "reports": "Eligibility and zero reports: pushed by local systems, pulled by the province.",
    "certifications": "Certification events: pushed by channels, pulled by the province.",
    "evidence": "Evidence files (JPEG, PNG, PDF), stored encrypted by digest.",
    "schemas": "JSON Schema of every canonical message type.",
    "decisions": "Acceptance (受理) and approval (审核) decisions on reported items.",
    "verification-tasks": "The verification list (待核实名单) and its dispositions.",
    "restorations": "Restoring suspended benefits (high-risk, rule 7).",
    "roster": "The provincial system's roster entries (amounts, accounts).",
    "outcomes": "Hub-signed outcomes of the procedure (terminations, suspensions, notices).",
    "overpayments": "Overpayments found by verification, their recovery and write-off.",
    "compliance": "Monthly reporting compliance (who reported, who is late).",
    "stats": "Aggregate statistics by region, reason and month.",
    "inbound": "Departments' native formats, translated by their adapters.",
    "my-reports": "A coordinator's own reports (the mobile entrance).",
    "service-points": "Service points for pensioners (the e-map).",
    "comparison-runs": "Monthly information comparison runs.",
    "app": "The coordinators' mobile web entrance (static assets).",
    "map": "The pensioners' e-map (static assets).",
    "enrolment-codes": "One-time codes county staff issue to enrol a coordinator's phone.",
    "enrolments": "Phones' keys bound with a code, listed by area, revoked when lost.",
}

_CORRELATION_HEADER: dict[str, Any] = {
    "description": "The request's correlation id (the caller's, or one the hub made); "
    "logged with everything the request caused.",
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$"},
}
_RETRY_AFTER: dict[str, Any] = {
    "description": "Seconds to wait before retrying.",
    "required": True,
    "schema": {"type": "string", "pattern": "^[0-9]+$"},
}

_DIGEST = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
_JWS = "eyJhbGciOiJFZERTQSIsImtpZCI6InRlc3QifQ.eyJ0eXBlIjoiemVyb19yZXBvcnQvdjEifQ.c2lnbmF0dXJl"
SCHEMA_EXAMPLES: dict[str, Any] = {
    "CompactJWS": _JWS,
    "Receipt": {
        "message_id": "yunfu-2026-000123",
        "sender": "yunfu-platform",
        "type": "eligibility_report/v1",
        "sequence": 4182,
        "sha256": _DIGEST,
        "received_at": "2026-12-06T08:15:00+08:00",
        "duplicate": False,
        "receipt": _JWS,
    },
    "Problem": {
        "type": "signature-invalid",
        "title": "Invalid signature",
        "status": 401,
        "detail": "the signature does not verify with key yunfu-2026",
    },
    "Page": {"items": [], "next_cursor": "djEuMTIzNA", "has_more": False},
}
"""One example per shared schema (the Problem's ``type`` becomes its URI)."""


def apply_conventions(document: dict[str, Any]) -> dict[str, Any]:
    """Give every operation of ``document`` its id, tags and shared headers; return it."""
    used_tags: set[str] = set()
    owners: dict[str, str] = {}
    for path, operations in document["paths"].items():
        for method in METHODS:
            if method in operations:
                used_tags.update(_finish_operation(path, method, operations[method]))
                _claim(owners, operations[method]["operationId"], f"{method.upper()} {path}")
    document["tags"] = [
        {"name": tag, "description": TAG_DESCRIPTIONS.get(tag, f"Operations on /v1/{tag}.")}
        for tag in sorted(used_tags)
    ]
    components = document.setdefault("components", {})
    components.setdefault("responses", {})["MethodNotAllowed"] = _method_not_allowed()
    _add_examples(components.get("schemas", {}))
    return document


def _claim(owners: dict[str, str], operation: str, where: str) -> None:
    """Refuse a second operation under one id, saying how to fix it."""
    if operation in owners:
        raise ValueError(
            f"operationId {operation!r} of {where} is already {owners[operation]}'s: give the"
            ' newer operation an "operationId" of its own (hub/api/openapi_conventions.py)'
        )
    owners[operation] = where


def operation_id(method: str, path: str) -> str:
    """The conventional id of ``method`` on ``path`` (see the module's docstring)."""
    words = [method.lower()]
    previous_was_param = False
    for segment in path.removeprefix("/v1/").strip("/").split("/"):
        if segment.startswith("{") and segment.endswith("}"):
            words.append("And" if previous_was_param else "By")
            words += [part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", segment[1:-1])]
            previous_was_param = True
        else:
            words += [part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", segment) if part]
            previous_was_param = False
    return "".join(words)


def tag_of(path: str) -> str:
    """The conventional tag of ``path``: its first fixed segment, or ``meta``."""
    if path.startswith(META_PATHS):
        return "meta"
    for segment in path.removeprefix("/v1/").strip("/").split("/"):
        if segment and not segment.startswith("{"):
            return segment.split(".")[0]
    return "meta"


def _finish_operation(path: str, method: str, operation: dict[str, Any]) -> list[str]:
    operation.setdefault("operationId", operation_id(method, path))
    operation.setdefault("tags", [tag_of(path)])
    for status, response in operation.get("responses", {}).items():
        if "$ref" in response:
            continue
        headers = response.setdefault("headers", {})
        headers.setdefault(RESPONSE_HEADER, _CORRELATION_HEADER)
        if status == "429":
            headers["Retry-After"] = _RETRY_AFTER
    tags: list[str] = operation["tags"]
    return tags


def _method_not_allowed() -> dict[str, Any]:
    response = problem_response(
        "The path exists but not for this method; `Allow` names the methods it has."
    )
    response["headers"] = {
        "Allow": {"required": True, "schema": {"type": "string"}},
        RESPONSE_HEADER: _CORRELATION_HEADER,
    }
    return response


def _add_examples(schemas: dict[str, Any]) -> None:
    for name, example in SCHEMA_EXAMPLES.items():
        if name not in schemas:
            continue
        if name == "Problem":  # the catalogue's URI form of the slug
            schemas[name].setdefault(
                "examples", [{**example, "type": problem_type_uri(example["type"])}]
            )
        else:
            schemas[name].setdefault("examples", [example])
