"""The provincial pull: ledger records by opaque cursor, oldest first."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from certhub.hub.api.auth import require_reader
from certhub.hub.core.keys import CURSORS, METRICS, SETTINGS, STORE
from certhub.hub.problems import Problem
from certhub.hub.store import LedgerRecord, RecordKind

routes = web.RouteTableDef()


@routes.get("/v1/reports")
async def pull_reports(request: web.Request) -> web.Response:
    """Reports and zero reports after a cursor."""
    return await _pull(request, RecordKind.REPORT)


@routes.get("/v1/certifications")
async def pull_certifications(request: web.Request) -> web.Response:
    """Certification events after a cursor."""
    return await _pull(request, RecordKind.CERTIFICATION)


@routes.get("/v1/decisions")
async def pull_decisions(request: web.Request) -> web.Response:
    """Signed decisions (受理/审核) after a cursor."""
    return await _pull(request, RecordKind.DECISION)


@routes.get("/v1/restorations")
async def pull_restorations(request: web.Request) -> web.Response:
    """Restoration requests, with their review status, after a cursor."""
    return await _pull(request, RecordKind.RESTORATION)


@routes.get("/v1/outcomes")
async def pull_outcomes(request: web.Request) -> web.Response:
    """Records the hub signed: task states, terminations, suspensions, overpayments."""
    return await _pull(request, RecordKind.OUTCOME)


async def _pull(request: web.Request, kind: RecordKind) -> web.Response:
    reader = require_reader(request)
    cursors = request.app[CURSORS]
    after = cursors.decode(request.query.get("after"), kind)
    limit = page_limit(request)
    records = list(await request.app[STORE].page(kind, after, limit + 1, area=reader.area))
    has_more = len(records) > limit
    records = records[:limit]
    last = records[-1].sequence if records else after
    request.app[METRICS].records_pulled.labels(kind=kind.value).inc(len(records))
    body = {
        "items": [_item(record) for record in records],
        "next_cursor": cursors.encode(kind, last),
        "has_more": has_more,
    }
    return web.json_response(body, headers={"Cache-Control": "no-store"})


def page_limit(request: web.Request) -> int:
    """The ``limit`` query parameter, checked against the configured bounds."""
    settings = request.app[SETTINGS]
    text = request.query.get("limit")
    if text is None:
        return settings.pull_default_limit
    # Length first: int() of thousands of digits is slow and then refused (ValueError).
    digits = text.isascii() and text.isdigit() and len(text) <= 9
    if not digits or not 1 <= int(text) <= settings.pull_max_limit:
        raise Problem(
            "invalid-parameter",
            f"limit must be a whole number from 1 to {settings.pull_max_limit}",
            extensions={"parameter": "limit"},
        )
    return int(text)


def _item(record: LedgerRecord) -> dict[str, Any]:
    return {
        "sequence": record.sequence,
        "message_id": record.message_id,
        "sender": record.sender,
        "type": record.message_type,
        "received_at": record.received_at.isoformat(),
        "sha256": record.sha256,
        "payload": json.loads(record.payload),
        "jws": record.jws.decode("ascii"),
        # Records the hub signed itself (outcomes) have no receipt: their jws is the hub's.
        **({"receipt": record.receipt} if record.receipt else {}),
        **({"status": record.status} if record.status else {}),
    }
