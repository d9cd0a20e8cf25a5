"""The provincial pull: ledger records by opaque cursor, oldest first."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from typing import Any, Final

from aiohttp import web

from certhub.hub.api.auth import require_reader
from certhub.hub.api.params import page
from certhub.hub.api.signer_revocation import revoked_keys, with_revoked_signer
from certhub.hub.core.keys import CURSORS, METRICS, SETTINGS, STORE, TRUST
from certhub.hub.problems import Problem
from certhub.hub.store import LedgerRecord, RecordKind
from certhub.security import TrustedKey

routes = web.RouteTableDef()


# Each pull path and the records it pages (OpenAPI's pull_operation describes each).
PULLS: Final = {
    "/v1/reports": RecordKind.REPORT,  # reports and zero reports
    "/v1/certifications": RecordKind.CERTIFICATION,
    "/v1/decisions": RecordKind.DECISION,  # 受理/审核
    "/v1/restorations": RecordKind.RESTORATION,  # with their review status
    "/v1/outcomes": RecordKind.OUTCOME,  # task states, terminations, suspensions, overpayments
}


def _pull_of(kind: RecordKind) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def pull(request: web.Request) -> web.Response:
        return await _pull(request, kind)

    return pull


for _path, _kind in PULLS.items():
    routes.get(_path)(_pull_of(_kind))


async def _pull(request: web.Request, kind: RecordKind) -> web.Response:
    reader = require_reader(request)
    cursors = request.app[CURSORS]
    after = cursors.decode(request.query.get("after"), kind)
    limit = page_limit(request)
    records = await request.app[STORE].page(kind, after, limit + 1, area=reader.area)
    request.app[METRICS].records_pulled.labels(kind=kind.value).inc(min(len(records), limit))
    encoded = partial(cursors.encode, kind)
    # A reviewer reading items under review learns a signer's key was revoked since.
    revoked = revoked_keys(request.app[TRUST].store)
    item = partial(_told_revoked, revoked=revoked) if revoked else pull_item
    return page(records, limit, item, lambda record: encoded(record.sequence), encoded(after))


def _told_revoked(record: LedgerRecord, *, revoked: Mapping[str, TrustedKey]) -> dict[str, Any]:
    return with_revoked_signer(pull_item(record), record, revoked)


def page_limit(request: web.Request) -> int:
    """The ``limit`` query parameter, checked against the configured bounds."""
    settings = request.app[SETTINGS]
    text = request.query.get("limit")
    if text is None:  # the largest page bounds the default one too (an operator lowers it)
        return min(settings.pull_default_limit, settings.pull_max_limit)
    # Length first: int() of thousands of digits is slow and then refused (ValueError).
    digits = text.isascii() and text.isdigit() and len(text) <= 9
    if not digits or not 1 <= int(text) <= settings.pull_max_limit:
        raise Problem(
            "invalid-parameter",
            f"limit must be a whole number from 1 to {settings.pull_max_limit}",
            extensions={"parameter": "limit"},
        )
    return int(text)


def pull_item(record: LedgerRecord) -> dict[str, Any]:
    """A ledger record as a pull page shows it (a review item with its status)."""
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
