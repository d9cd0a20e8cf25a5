"""RFC 9457 problem details: one stable ``type`` per kind of failure.

Every refusal the API gives is a :class:`Problem` (or a
:class:`security.SecurityError`, mapped here), rendered as
``application/problem+json``.

:data:`ALL_PROBLEMS` is the one catalogue: the routes render only its slugs,
and ``/openapi.json`` lists exactly its slugs. Each slug is written once, beside
what raises it, as one line ``slug: (status, title)``:

- the API's own refusals: :data:`CATALOGUE` below;
- the procedure's rules: ``hub.workflow.refusals.WORKFLOW_PROBLEMS``;
- signed messages and read tokens: the ``security.MessageError`` and
  ``security.TokenError`` leaf classes (their ``problem_type``,
  ``http_status`` and ``title``), collected here.

``tests/hub/test_openapi_problems.py`` checks that README's slug tables list
exactly these slugs, with their statuses.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from aiohttp import web

from hub.workflow.refusals import WORKFLOW_PROBLEMS
from security import MessageError, SecurityError, TokenError

log = logging.getLogger(__name__)

PROBLEM_TYPE_PREFIX: Final = "urn:certhub:problem:"
PROBLEM_CONTENT_TYPE: Final = "application/problem+json"

# slug -> (HTTP status, title)
CATALOGUE: Final[Mapping[str, tuple[int, str]]] = {
    "unsupported-media-type": (415, "Unsupported media type"),
    "body-too-large": (413, "Request body too large"),
    "body-timeout": (408, "Request body not received in time"),
    "malformed-request": (400, "Malformed HTTP request"),
    "invalid-utf8": (400, "Payload is not valid UTF-8"),
    "invalid-json": (400, "Payload is not valid JSON"),
    "schema-violation": (422, "Payload violates the schema"),
    "replay": (409, "Message id already used"),
    "invalid-parameter": (400, "Invalid query parameter"),
    "invalid-cursor": (400, "Invalid cursor"),
    "authentication-required": (401, "Authentication required"),
    "not-found": (404, "Not found"),
    "unknown-schema-type": (404, "Unknown schema type"),
    "method-not-allowed": (405, "Method not allowed"),
    "store-unavailable": (503, "Ledger unavailable"),
    "overloaded": (429, "Hub overloaded; retry later"),
    "evidence-type-mismatch": (415, "Evidence content differs from its declared type"),
    "evidence-unsupported": (415, "Evidence is not a JPEG, PNG or PDF"),
    "evidence-truncated": (400, "Evidence is truncated"),
    "evidence-not-decodable": (422, "Evidence does not decode as its format"),
    "evidence-trailing-data": (422, "Evidence has data after its end"),
    "evidence-too-many-pixels": (422, "Evidence image has too many pixels"),
    "evidence-location-data": (422, "Evidence photo carries GPS coordinates"),
    "evidence-active-content": (422, "Evidence PDF has active content"),
    "evidence-encrypted": (422, "Evidence PDF is encrypted"),
    "digest-mismatch": (400, "Content-Digest does not match the body"),
    "evidence-too-large": (413, "Evidence too large"),
    "evidence-not-found": (404, "Evidence not found"),
    "evidence-corrupt": (500, "Stored evidence is corrupt"),
    "internal-error": (500, "Internal error"),
}


def _security_problems() -> dict[str, tuple[int, str]]:
    """Each refusal class of a signed message or read token, by its slug."""
    found: dict[str, tuple[int, str]] = {}
    pending: list[type[SecurityError]] = [MessageError, TokenError]
    while pending:
        kind = pending.pop()
        subclasses = kind.__subclasses__()
        pending.extend(subclasses)
        if not subclasses:  # the bases are never raised; their leaves are
            found[kind.problem_type] = (kind.http_status, kind.title)
    return found


ALL_PROBLEMS: Final[Mapping[str, tuple[int, str]]] = {
    **CATALOGUE,
    **WORKFLOW_PROBLEMS,
    **_security_problems(),
}
"""Every problem the API can answer with: its own, the procedure's, and security's."""


@dataclass
class Problem(Exception):
    """A refusal with a stable problem type, raised anywhere in a handler."""

    slug: str
    detail: str
    extensions: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.slug not in ALL_PROBLEMS:
            raise ValueError(f"unknown problem slug {self.slug!r}")

    @property
    def status(self) -> int:
        """HTTP status of this problem."""
        return ALL_PROBLEMS[self.slug][0]

    @property
    def title(self) -> str:
        """Short human title of this problem type."""
        return ALL_PROBLEMS[self.slug][1]


def problem_type_uri(slug: str) -> str:
    """The ``type`` member for ``slug``."""
    return PROBLEM_TYPE_PREFIX + slug


def render(problem: Problem, *, instance: str | None = None) -> web.Response:
    """An ``application/problem+json`` response for ``problem``."""
    body = _body(problem.slug, problem.status, problem.title, problem.detail, instance)
    body.update(problem.extensions)
    return _response(body, problem.headers)


def render_security_error(error: SecurityError, *, instance: str | None = None) -> web.Response:
    """A problem response for a signature, key or token failure.

    A security error outside the catalogue (a key file or trust store failing
    while a request is served) is the hub's fault: ``internal-error``, logged.
    """
    if error.problem_type not in ALL_PROBLEMS:
        log.error("security failure while serving a request: %s", error)
        return render(
            Problem("internal-error", "the hub failed; the error was logged"), instance=instance
        )
    body = _body(error.problem_type, error.http_status, error.title, error.detail, instance)
    # Only bearer-token failures challenge the client (RFC 6750 §3).
    is_token = isinstance(error, TokenError) and error.http_status == 401
    headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'} if is_token else {}
    return _response(body, headers)


def _body(slug: str, status: int, title: str, detail: str, instance: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": problem_type_uri(slug),
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    return body


def _response(body: Mapping[str, Any], headers: Mapping[str, str]) -> web.Response:
    return web.Response(
        status=int(body["status"]),
        body=json.dumps(body, ensure_ascii=False).encode(),
        content_type=PROBLEM_CONTENT_TYPE,
        charset="utf-8",
        headers=headers,
    )
