"""Every exchange a test has with a hub app is checked against the hub's own ``/openapi.json``.

``tests/conftest.py`` puts :meth:`ContractCheck.middleware` outermost in every hub app a
test starts, so it sees the final answer (problems included). The document is the one the
app serves (``certhub.hub.api.openapi.openapi_document``), built and compiled once per session.

What is checked, and the principled exclusions:

- **Every response**: its status must be documented for the operation and its body must
  validate against the documented schema of its media type. Bodies that are not a
  finished ``web.Response`` (streamed evidence downloads) and non-JSON bodies
  (``/metrics`` text, binary evidence) are checked for status and media type only: their
  bytes are opaque by definition.
- **Requests the hub accepted** (status below 400): path, query, headers, security and,
  when the handler read it whole, the body must be what the document allows. A request
  the hub *refused* is expected to break the document (that is what tests of refusals
  send); its answer is still checked.
- **Paths the document does not name** may only be answered with a documented
  ``Problem`` (404 or 405).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from aiohttp import web
from jsonschema import Draft202012Validator
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.deserializing.media_types.util import json_loads, plain_loads
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound
from openapi_core.validation.request.validators import (
    V31RequestParametersValidator,
    V31RequestSecurityValidator,
    V31RequestValidator,
)
from openapi_core.validation.response.validators import V31ResponseValidator
from werkzeug.datastructures import Headers

from certhub.hub.api.openapi import openapi_document

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Media types whose bytes are opaque: status and media type are checked, never the body.
OPAQUE_MEDIA = (
    "image/",
    "application/pdf",
    "text/plain",
    "application/octet-stream",
    "application/vnd.openxmlformats-officedocument.",  # XLSX downloads
)
_DESERIALIZERS = {
    "application/problem+json": json_loads,
    "application/schema+json": json_loads,
    "application/jose": plain_loads,
    "text/csv": plain_loads,
    "text/css": plain_loads,
    "application/geo+json": json_loads,
}


@dataclass(frozen=True)
class _Validators:
    document: dict[str, Any]
    request: V31RequestValidator
    parameters: V31RequestParametersValidator
    security: V31RequestSecurityValidator
    response: V31ResponseValidator
    problem: Draft202012Validator


@cache
def validators() -> _Validators:
    """The compiled document and its validators, built once per session."""
    document = openapi_document()
    spec = OpenAPI.from_dict(document).spec
    options: dict[str, Any] = {"extra_media_type_deserializers": _DESERIALIZERS}
    problem = document["components"]["schemas"]["Problem"]
    return _Validators(
        document,
        V31RequestValidator(spec, **options),
        V31RequestParametersValidator(spec, **options),
        V31RequestSecurityValidator(spec, **options),
        V31ResponseValidator(spec, **options),
        Draft202012Validator(problem),
    )


class _Request:
    """openapi-core's request protocol over an aiohttp request, after its handler ran."""

    def __init__(self, request: web.Request, body: bytes | None) -> None:
        self.parameters = RequestParameters(
            query=request.query, header=Headers(list(request.headers.items()))
        )
        self.host_url = f"{request.url.scheme}://{request.url.host}"
        # Still percent-encoded: `..%2F` must not be resolved into another path.
        self.path = request.rel_url.raw_path
        self.method = request.method.lower()
        self.body = body
        self.content_type = request.headers.get("Content-Type", "").lower()


class _Response:
    """openapi-core's response protocol over a finished aiohttp response."""

    def __init__(self, response: web.StreamResponse, data: bytes) -> None:
        self.status_code = response.status
        self.data = data
        self.content_type = response.headers.get("Content-Type", "").lower()
        self.headers = Headers(list(response.headers.items()))


@dataclass
class ContractCheck:
    """Collects every way a hub's answers (or accepted requests) depart from its document."""

    violations: list[str] = field(default_factory=list)
    checked: int = 0

    @property
    def middleware(self) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
        """An aiohttp middleware that checks each exchange after the handler answered."""

        @web.middleware
        async def check_contract(request: web.Request, handler: Handler) -> web.StreamResponse:
            response = await handler(request)
            # The handler read the body whole (request.read()) or streamed it; only the
            # first leaves the bytes on the request.
            body: bytes | None = getattr(request, "_read_bytes", None)
            self.checked += 1
            self.violations.extend(
                f"{request.method} {request.path} -> {response.status}: {problem}"
                for problem in check_exchange(request, body, response)
            )
            return response

        return check_contract


def check_exchange(
    request: web.Request, body: bytes | None, response: web.StreamResponse
) -> list[str]:
    """Each way this request (if accepted) and its response break the document."""
    checks = validators()
    wire_request = _Request(request, body)
    media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    data = response.body if isinstance(response, web.Response) else None
    if not isinstance(data, bytes):
        data = None
    if _operation(checks.document, request) is None:
        return _unnamed_path(checks, response.status, media, data)
    errors: list[str] = []
    if response.status < 400:
        errors += _request_errors(checks, wire_request, whole=body is not None)
    if data is None or media.startswith(OPAQUE_MEDIA):
        errors += _status_and_media(checks.document, request, response.status, media)
        return errors
    errors += [
        _describe(error)
        for error in checks.response.iter_errors(wire_request, _Response(response, data))
    ]
    return errors


def _request_errors(checks: _Validators, request: _Request, *, whole: bool) -> list[str]:
    if whole:
        return [_describe(error) for error in checks.request.iter_errors(request)]
    found = list(checks.parameters.iter_errors(request))
    found += list(checks.security.iter_errors(request))
    return [f"request: {_describe(error)}" for error in found]


def _unnamed_path(checks: _Validators, status: int, media: str, data: bytes | None) -> list[str]:
    if status not in (404, 405) or media != "application/problem+json" or data is None:
        return [f"a path the document does not name answered {status} {media}"]
    return [error.message for error in checks.problem.iter_errors(json.loads(data))]


def _status_and_media(
    document: Mapping[str, Any], request: web.Request, status: int, media: str
) -> list[str]:
    operation = _operation(document, request)
    responses = (operation or {}).get("responses", {})
    documented = responses.get(str(status)) or responses.get("default")
    if documented is None:
        return [f"status {status} is not documented"]
    if not media and not documented.get("content"):  # a body-less answer (304) documented so
        return []
    if media not in documented.get("content", {}):
        return [f"media type {media!r} is not documented for {status}"]
    return []


def _operation(document: Mapping[str, Any], request: web.Request) -> dict[str, Any] | None:
    # The route aiohttp matched names the operation (its template is the document's key),
    # even for a path that does not fit the template's parameter schema.
    resource = request.match_info.route.resource
    template = resource.canonical if resource is not None else None
    if template not in document["paths"]:
        url = f"{request.url.scheme}://{request.url.host}{request.path}"
        try:
            found = validators().request.path_finder.find(request.method.lower(), url)
        except (PathNotFound, OperationNotFound):
            return None
        template = found.path.parts[-1]
    operation: dict[str, Any] | None = document["paths"][template].get(request.method.lower())
    return operation


def _describe(error: BaseException) -> str:
    """The innermost reason openapi-core gives, with the JSON path of each schema error."""
    while error.__cause__ is not None and not getattr(error, "schema_errors", None):
        error = error.__cause__
    schema_errors = getattr(error, "schema_errors", None)
    if not schema_errors:
        return f"{type(error).__name__}: {str(error)[:300]}"
    return "; ".join(
        f"at /{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in schema_errors
    )
