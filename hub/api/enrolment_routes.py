"""Coordinators' enrolment over HTTP: codes for county staff, a phone's key bound with one.

``POST /v1/enrolment-codes`` and ``POST /v1/enrolments/revocations`` take a
signed JWS from a county reviewer (the same checks as any message: key,
sender, type, signature, ``iat``); ``POST /v1/enrolments`` is the one
anonymous write, bounded by :class:`~certhub.hub.enrolment.FailureLimiter`;
``GET /v1/enrolments`` is a read, filtered by the reader's area.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable
from typing import Any, Final, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from certhub.hub.api.auth import require_reader
from certhub.hub.api.client_address import bound_key, client_address
from certhub.hub.api.ingress_routes import _read_signed_body
from certhub.hub.core.keys import (
    ENROLMENT,
    ENROLMENT_LIMITER,
    METRICS,
    SETTINGS,
    SHARED,
    STORE,
    TRUST,
)
from certhub.hub.enrolment import (
    CODE_REQUEST_TYPE,
    REVOCATION_TYPE,
    EnrolmentCodeRequest,
    FailureLimiter,
    KeyRevocation,
    enrolment_for,
    normalise_code,
)
from certhub.hub.enrolment.codes import CODE_INVALID
from certhub.hub.enrolment.database import DatabaseEnrolment
from certhub.hub.enrolment.service import enrolled_keys, public_jwk
from certhub.hub.problems import Problem
from certhub.hub.store import StoreUnavailable
from certhub.security import (
    TrustedKey,
    TrustStoreError,
    VerifiedMessage,
    VerifyingKey,
    check_json_bounds,
    json_loads,
)

log = logging.getLogger(__name__)

routes = web.RouteTableDef()

_JSON_MEDIA_TYPE: Final = "application/json"
_ENROL_MAX_BYTES: Final = 8 * 1024  # a code and a public JWK: a few hundred bytes
_ENROL_MAX_DEPTH: Final = 8  # {"code", "jwk": {...}} is two levels deep
_NO_STORE: Final = {"Cache-Control": "no-store"}
_COUNTED: Final = {  # refusals of POST /v1/enrolments worth watching (guessing, broken apps)
    "enrolment-code-invalid": "code_invalid",
    "enrolment-key-invalid": "key_invalid",
    "enrolment-rate-limited": "rate_limited",
}
Model = TypeVar("Model", bound=BaseModel)
Result = TypeVar("Result")


async def enrolment_ctx(app: web.Application) -> AsyncIterator[None]:
    """Wire the enrolment (the folder's files, or the deployment's database) and its bound."""
    shared = app[SHARED]  # PostgreSQL: codes and keys where every process reaches them
    if shared is None:
        app[ENROLMENT] = enrolment_for(app[SETTINGS])
    else:
        app[ENROLMENT] = await DatabaseEnrolment.open(shared.store)
    app[ENROLMENT_LIMITER] = FailureLimiter()
    yield


@routes.post("/v1/enrolment-codes")
async def issue_code(request: web.Request) -> web.Response:
    """A one-time code that enrols one coordinator's phone for a village (county reviewers)."""
    message, payload = await _staff_request(request, CODE_REQUEST_TYPE, EnrolmentCodeRequest)
    enrolment = request.app[ENROLMENT]
    issued = await _recorded(
        enrolment.issue_code(
            payload, staff=message.trusted, request_id=f"{message.sender}:{message.jti}"
        )
    )
    await request.app[STORE].record_audit(
        "enrolment_code_issued", issued.code_id, message.sender, message.digest
    )
    request.app[METRICS].enrolments.labels(outcome="code_issued").inc()
    log.info(
        "enrolment code issued",
        extra={"sender": message.sender, "code_id": issued.code_id, "village": issued.village},
    )
    body = {
        "code": issued.code,
        "code_id": issued.code_id,
        "village": issued.village,
        "role": issued.role,
        "sender": issued.sender,
        "expires_at": issued.expires_at.isoformat(),
    }
    return web.json_response(body, status=201, headers=_NO_STORE)


@routes.post("/v1/enrolments")
async def enrol(request: web.Request) -> web.Response:
    """Bind a phone's public key with a one-time code: no other authentication."""
    limiter = request.app[ENROLMENT_LIMITER]
    address = client_address(request)  # behind a trusted proxy, the phone's, not the proxy's
    client = bound_key(address, request.app[SETTINGS].enrolment_ipv6_prefix)  # IPv6: its /64
    outcomes = request.app[METRICS].enrolments
    enrolment = request.app[ENROLMENT]
    try:
        limiter.check(client)
        body = await _json_body(request)
        code = normalise_code(body.get("code"))
        if code is None:
            raise Problem("enrolment-code-invalid", CODE_INVALID)
        again = _trusted_already(request, body.get("jwk"))
        trusted = await _recorded(enrolment.enrol_key(code, body.get("jwk")))
    except Problem as exc:
        if exc.slug == "enrolment-code-invalid":
            limiter.failed(client)
        if exc.slug in _COUNTED:
            outcomes.labels(outcome=_COUNTED[exc.slug]).inc()
        raise
    if again:  # the phone missed the first answer: the same again, enrolled and audited once
        log.info("enrolment answered again", extra={"sender": trusted.sender, "kid": trusted.kid})
        return web.json_response(_enrolled_body(trusted), status=201, headers=_NO_STORE)
    outcomes.labels(outcome="enrolled").inc()
    await request.app[TRUST].refresh()  # usable here at once (elsewhere at the next poll)
    digest = hashlib.sha256(json.dumps(trusted.key.to_jwk(), sort_keys=True).encode()).hexdigest()
    await request.app[STORE].record_audit("key_enrolled", trusted.kid, trusted.sender, digest)
    log.info("key enrolled", extra={"sender": trusted.sender, "kid": trusted.kid})
    return web.json_response(_enrolled_body(trusted), status=201, headers=_NO_STORE)


@routes.get("/v1/enrolments")
async def list_enrolments(request: web.Request) -> web.Response:
    """The keys with an area inside the reader's area (enrolled phones, scoped staff)."""
    reader = require_reader(request)
    keys = enrolled_keys(request.app[TRUST].store, reader.area)
    items = [
        {
            "kid": key.kid,
            "sender": key.sender,
            "role": key.role,
            "area": str(key.area),
            "not_after": None if key.not_after is None else key.not_after.isoformat(),
            "revoked": key.revoked,
        }
        for key in keys
    ]
    return web.json_response({"items": items}, headers=_NO_STORE)


@routes.post("/v1/enrolments/revocations")
async def revoke(request: web.Request) -> web.Response:
    """Revoke an enrolled key (a lost phone) inside the county reviewer's area, for good."""
    message, payload = await _staff_request(request, REVOCATION_TYPE, KeyRevocation)
    enrolment = request.app[ENROLMENT]
    entry = await _recorded(enrolment.revoke_key(payload, staff=message.trusted))
    await request.app[TRUST].refresh()  # refused here at once (elsewhere at the next poll)
    await request.app[STORE].record_audit("key_revoked", entry.kid, message.sender, message.digest)
    request.app[METRICS].enrolments.labels(outcome="revoked").inc()
    log.info("enrolled key revoked", extra={"sender": message.sender, "kid": entry.kid})
    body = {"kid": entry.kid, "sender": entry.sender, "revoked": True}
    return web.json_response(body, headers=_NO_STORE)


async def _staff_request(
    request: web.Request, message_type: str, model: type[Model]
) -> tuple[VerifiedMessage, Model]:
    """The verified, fresh signed request of ``message_type`` and its payload."""
    raw = await _read_signed_body(request)
    verifier = request.app[TRUST].messages
    message = verifier.verify(raw, allowed_types={message_type})
    verifier.check_freshness(message)
    try:
        payload = model.model_validate_json(message.payload)
    except ValidationError as exc:
        errors = [
            {"pointer": "".join(f"/{part}" for part in error["loc"]), "detail": error["msg"]}
            for error in exc.errors(include_url=False, include_input=False)
        ]
        raise Problem(
            "enrolment-request-invalid",
            f"the {message_type} payload is invalid in {len(errors)} place(s)",
            extensions={"errors": errors},
        ) from exc
    return message, payload


async def _json_body(request: web.Request) -> dict[str, Any]:
    """The small JSON object a phone posts; anything else is ``enrolment-request-invalid``."""
    if request.content_type != _JSON_MEDIA_TYPE:
        raise Problem("unsupported-media-type", f"send {_JSON_MEDIA_TYPE}")
    too_large = Problem("body-too-large", f"an enrolment is at most {_ENROL_MAX_BYTES} bytes")
    if request.content_length is not None and request.content_length > _ENROL_MAX_BYTES:
        raise too_large
    raw = bytearray()
    async for chunk in request.content.iter_chunked(1024):  # to its end, never past the bound
        raw += chunk
        if len(raw) > _ENROL_MAX_BYTES:
            raise too_large
    try:  # as strict as a signed message's JSON: nobody has proved anything yet
        text = raw.decode("utf-8")
        check_json_bounds(text, max_depth=_ENROL_MAX_DEPTH, max_chars=_ENROL_MAX_BYTES)
        body = json_loads(text)  # a member named twice, NaN or Infinity: refused
    except ValueError as exc:
        detail = "the body is not plain JSON (each member once, no NaN, nested at most 8 deep)"
        raise Problem("enrolment-request-invalid", detail) from exc
    if not isinstance(body, dict) or not isinstance(body.get("code"), str):
        raise Problem("enrolment-request-invalid", 'send {"code": "…", "jwk": {…}}')
    return body


async def _recorded(work: Awaitable[Result]) -> Result:
    """Await a change of the codes or the trust store; a file or database failure is a 503."""
    try:
        return await work
    except (OSError, TrustStoreError, ValueError, StoreUnavailable) as exc:
        log.error("the enrolment cannot be recorded: %s", exc)
        raise Problem(
            "store-unavailable", "the enrolment cannot be recorded right now; retry"
        ) from exc


def _trusted_already(request: web.Request, jwk: object) -> bool:
    """Whether this process trusts ``jwk`` already (a phone asking again for the answer it
    missed: :func:`~certhub.hub.enrolment.service.bound_again`)."""
    try:
        kid = VerifyingKey.from_jwk(public_jwk(jwk)).kid
    except Problem:
        return False  # not a key: the enrolment refuses it in its own words
    return request.app[TRUST].store.get(kid) is not None


def _enrolled_body(trusted: TrustedKey) -> dict[str, object]:
    return {
        "kid": trusted.kid,
        "sender": trusted.sender,
        "role": trusted.role,
        "area": str(trusted.area),
        "may_send": sorted(trusted.may_send),
        "may_read": trusted.may_read,
        "not_after": None if trusted.not_after is None else trusted.not_after.isoformat(),
        "audience": "certhub",
    }
