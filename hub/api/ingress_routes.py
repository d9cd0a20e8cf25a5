"""Push endpoints: reports, zero reports, certification events, restorations, roster."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, Collection
from functools import partial
from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel

from certhub.hub.api.report_bound import ReportBound
from certhub.hub.core.keys import (
    LOAD,
    METRICS,
    OUTBOX_DELIVERY,
    PIPELINE,
    PROCEDURE,
    REPORT_TURNS,
    SETTINGS,
    SHARED_TURNS,
    STORE,
)
from certhub.hub.ingress.pipeline import Plan
from certhub.hub.problems import Problem
from certhub.hub.procedure.intake import plan_intake
from certhub.hub.store import LedgerRecord, RecordKind
from certhub.hub.store.effects import Effects
from certhub.monitoring.labels import sender_label
from certhub.schemas import MESSAGE_TYPES, Message, Refusal
from certhub.security import SecurityError, VerifiedMessage

log = logging.getLogger(__name__)

JOSE_MEDIA_TYPE = "application/jose"
REPORT_TYPES = frozenset({"eligibility_report/v1", "zero_report/v1"})
CERTIFICATION_TYPES = frozenset({"certification_event/v1"})

routes = web.RouteTableDef()


@routes.post("/v1/reports")
async def push_report(request: web.Request) -> web.Response:
    """Accept one signed eligibility report or zero report (a coordinator's key, within
    its hourly bound: :mod:`certhub.hub.api.report_bound`)."""
    app = request.app
    bound = ReportBound(
        app[STORE],
        app[SETTINGS].coordinator_reports_per_hour,
        app[REPORT_TURNS],
        shared=app[SHARED_TURNS],
    )
    try:
        return await push(request, RecordKind.REPORT, REPORT_TYPES, bound.around(_intake(request)))
    finally:  # the key's turn lasts until its report is recorded (or refused)
        await bound.release()


@routes.post("/v1/certifications")
async def push_certification(request: web.Request) -> web.Response:
    """Accept one signed certification event (one person, its own evidence)."""
    return await push(request, RecordKind.CERTIFICATION, CERTIFICATION_TYPES, _intake(request))


@routes.post("/v1/restorations")
async def push_restoration(request: web.Request) -> web.Response:
    """Accept one signed restoration request, checked against the roster."""
    return await push(request, RecordKind.RESTORATION, {"restoration/v1"}, _intake(request))


@routes.post("/v1/restoration-proposals")
async def push_restoration_proposal(request: web.Request) -> web.Response:
    """Accept staff's own proposal to restore a voided termination, checked as the hub's."""
    kind, types = RecordKind.RESTORATION, {"restoration_proposal/v1"}
    return await push(request, kind, types, _intake(request))


@routes.post("/v1/roster")
async def push_roster(request: web.Request) -> web.Response:
    """Accept one signed roster entry from the provincial system."""
    return await push(request, RecordKind.ROSTER, {"benefit_record/v1"}, _intake(request))


def _intake(request: web.Request) -> Plan:
    context = request.app[PROCEDURE]
    return partial(plan_intake, context)


M = TypeVar("M", bound=Message)


async def push_one(
    request: web.Request,
    kind: RecordKind,
    model: type[M],
    plan: Callable[[VerifiedMessage, M], Awaitable[Effects]],
) -> web.Response:
    """:func:`push` for an endpoint of exactly one message type, planned by ``plan``."""

    async def run(message: VerifiedMessage, payload: BaseModel) -> Effects:
        if not isinstance(payload, model):  # allowed_types already guarantees it
            raise Problem("schema-violation", f"expected {model.MESSAGE_TYPE}")
        return await plan(message, payload)

    return await push(request, kind, {model.MESSAGE_TYPE}, run)


async def push(
    request: web.Request, kind: RecordKind, types: Collection[str], plan: Plan
) -> web.Response:
    """Read, verify, plan and record one signed message; answer with its receipt."""
    metrics = request.app[METRICS]
    started = time.perf_counter()
    try:
        # The body is read before admission: bytes nobody has signed yet (a slow or
        # stalled upload) must not occupy the in-flight slots of verified work.
        raw = await _read_signed_body(request)
        async with request.app[LOAD].admit():  # 429 rather than unbounded queues
            accepted = await request.app[PIPELINE].accept(
                raw, kind=kind, allowed_types=types, plan=plan
            )
    except Refusal as exc:
        slug = exc.slug
        metrics.count_rejection(slug, security=isinstance(exc, SecurityError))
        log.info(
            "message rejected: %s",
            slug,
            extra={
                "route": request.path,
                "outcome": "rejected",
                "reason": slug,
                "duration_ms": _ms_since(started),
            },
        )
        raise
    created = accepted.outcome.created
    if created and accepted.queued_deliveries:
        request.app[OUTBOX_DELIVERY].wake()  # relay the new deliveries now, not at the next poll
    message = accepted.message
    message_type = message.typ if message.typ in MESSAGE_TYPES else "other"
    sender = sender_label(message.sender, message.trusted.role)  # bounded: people by role
    metrics.count_verified(message_type, sender, accepted.payload, created=created)
    if log.isEnabledFor(logging.INFO):  # the fields cost more than a skipped call
        outcome = "accepted" if created else "duplicate"
        log.info(
            "message %s",
            outcome,
            extra={
                "route": request.path,
                "outcome": outcome,
                "sender": message.sender,
                "message_id": message.jti,
                "message_type": message.typ,
                "sequence": accepted.outcome.record.sequence,
                "duration_ms": _ms_since(started),
            },
        )
    return receipt_response(accepted.outcome.record, created=created)


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1e3, 2)


async def _read_signed_body(request: web.Request) -> bytes:
    if request.content_type != JOSE_MEDIA_TYPE:
        raise Problem(
            "unsupported-media-type",
            f"send one compact JWS as {JOSE_MEDIA_TYPE}, not {request.content_type!r}",
        )
    limit = request.app[SETTINGS].max_body_bytes
    if request.content_length is not None and request.content_length > limit:
        raise Problem("body-too-large", f"a signed message may be at most {limit} bytes")
    body = await request.read()
    if len(body) > limit:  # chunked bodies; client_max_size may be set higher for other routes
        raise Problem("body-too-large", f"a signed message may be at most {limit} bytes")
    return body


def receipt_response(record: LedgerRecord, *, created: bool) -> web.Response:
    """The 202 of an accepted message: :func:`receipt_body` exactly as ``web.json_response``
    sends it (``json.dumps``'s text: default separators, ASCII escapes).

    Every push answers with this, so the text is one template instead of the
    general encoder walking a dict: 6.5 µs against 10 µs a response.
    """
    q = _quote
    body = (
        f'{{"message_id": {q(record.message_id)}, "sender": {q(record.sender)},'
        f' "type": {q(record.message_type)}, "sequence": {record.sequence:d},'
        f' "sha256": {q(record.sha256)}, "received_at": {q(record.received_at.isoformat())},'
        f' "duplicate": {"false" if created else "true"}, "receipt": {q(record.receipt)}}}'
    )
    return web.Response(
        body=body.encode("ascii"), status=202, content_type="application/json", charset="utf-8"
    )


_quote: Callable[[str], str] = json.encoder.encode_basestring_ascii  # what json.dumps uses


def receipt_body(record: LedgerRecord, *, created: bool) -> dict[str, object]:
    """The 202 body of an accepted message: ids, digest, sequence and the signed receipt."""
    return {
        "message_id": record.message_id,
        "sender": record.sender,
        "type": record.message_type,
        "sequence": record.sequence,
        "sha256": record.sha256,
        "received_at": record.received_at.isoformat(),
        "duplicate": not created,
        "receipt": record.receipt,
    }
