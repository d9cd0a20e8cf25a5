"""Inbound adapters' endpoints and the AMQP consumer: native pushes into the same ledger path.

``POST /v1/inbound/{adapter}/messages`` takes one native, department-signed
record (a city platform's JSON report, a channel's webhook callback) and
answers like a signed push: 202 with the hub's receipt. ``POST
/v1/inbound/{adapter}/uploads`` takes a file of many records (a town's monthly
CSV) and answers 200 with a report per row; a file with no usable row is a
422 problem listing why. Each adapter authenticates its department itself
(:class:`certhub.adapters.protocols.InboundTranslator`); every translated item then
goes through :class:`certhub.hub.ingress.inbound.InboundIngestor` — verify, validate, plan,
ledger, receipt — exactly as an HTTP push does.

Adapters come from the ``adapters`` settings section (built with the other
departments); each inbound one gets its signing identity in the trust store
at start, and stream adapters (bank terminals over AMQP) are started and
stopped by :func:`inbound_ctx`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from aiohttp import web

from certhub.adapters.errors import AdapterError, RequestRejected, SignatureRejected, TransientError
from certhub.adapters.protocols import CertificationStream, InboundTranslator
from certhub.adapters.types import InboundBatch, InboundItem, ItemError
from certhub.hub.api.ingress_routes import receipt_body
from certhub.hub.core.keys import DEPARTMENTS, INBOUND, METRICS, TRUST
from certhub.hub.departments.context import enrol_adapter, intake_ingestor
from certhub.hub.ingress.inbound import InboundIngestor, InboundSender
from certhub.hub.problems import Problem, problem_for
from certhub.hub.store import LedgerRecord, StoreUnavailable
from certhub.schemas import CertificationEvent, Refusal, mask_ids_in_text

log = logging.getLogger(__name__)

routes = web.RouteTableDef()
_STREAM_TYPES = frozenset({CertificationEvent.MESSAGE_TYPE})
_STATUS_SLUGS = {409: "replay", 413: "body-too-large", 415: "unsupported-media-type",
                 400: "malformed-message"}  # fmt: skip


@dataclass
class InboundHub:
    """The running inbound adapters, their signing identities and the ingestor."""

    ingestor: InboundIngestor
    translators: dict[str, InboundTranslator] = field(default_factory=dict)
    streams: dict[str, CertificationStream] = field(default_factory=dict)
    senders: dict[str, InboundSender] = field(default_factory=dict)

    async def ingest(self, adapter: str, item: InboundItem) -> tuple[LedgerRecord, bool]:
        """Record one item as ``adapter``; the record and whether this call recorded it (not: a
        bank certification its reconciliation file recorded first, returned as that record)."""
        sender = self.senders[adapter]
        return await self.ingestor.ingest_outcome(sender, item.message, item.message_id)


async def inbound_ctx(app: web.Application) -> AsyncIterator[None]:
    """Enrol the configured inbound adapters, start the streams; stop them at shutdown.

    The adapters themselves are built (and finally closed) with every other
    department in :func:`certhub.hub.departments.context.departments_context`.
    """
    inbound = InboundHub(intake_ingestor(app))
    for name, adapter in app[DEPARTMENTS].adapters.items():
        if isinstance(adapter, InboundTranslator):
            inbound.translators[name] = adapter
        elif isinstance(adapter, CertificationStream):
            inbound.streams[name] = adapter
    app[INBOUND] = inbound
    enrolled: dict[str, InboundTranslator | CertificationStream] = {
        **inbound.translators,
        **inbound.streams,
    }
    for name, role in enrolled.items():
        types = role.produces if isinstance(role, InboundTranslator) else _STREAM_TYPES
        inbound.senders[name] = await enrol_adapter(app, name, sorted(types))
    if inbound.senders:
        await asyncio.to_thread(app[TRUST].reload_if_changed)
    try:
        for name, stream in inbound.streams.items():
            await stream.start(partial(_ingest_streamed, inbound, name))
        yield
    finally:
        for stream in inbound.streams.values():  # stop consuming before the ledger closes
            await stream.aclose()


async def _ingest_streamed(
    inbound: InboundHub, adapter: str, event: CertificationEvent, message_id: str
) -> None:
    """The stream callback: a ledger outage is transient, a refusal is permanent."""
    try:
        await inbound.ingest(adapter, InboundItem(position=0, message_id=message_id, message=event))
    except StoreUnavailable as exc:
        raise TransientError("the ledger cannot commit right now") from exc
    except Refusal as exc:
        raise RequestRejected(f"hub refused it: {problem_for(exc).slug}") from exc


@routes.post("/v1/inbound/{adapter}/messages")
async def push_native(request: web.Request) -> web.Response:
    """One department-signed native record → the ledger; answered with the receipt."""
    name, batch = await _translate(request, "messages")
    if not batch.items:
        raise _unusable("the record cannot be translated", batch.errors)
    record, created = await _recorded(request, name, batch.items[0])
    return web.json_response(receipt_body(record, created=created), status=202)


@routes.post("/v1/inbound/{adapter}/uploads")
async def upload_file(request: web.Request) -> web.Response:
    """A file of records: every row validated first, then each good row recorded."""
    name, batch = await _translate(request, "uploads")
    if not batch.items:
        raise _unusable("no row of the file can be accepted", batch.errors)
    rows: list[dict[str, Any]] = [_row_error(error) for error in batch.errors]
    for item in batch.items:
        try:
            record, created = await _recorded(request, name, item)
        except Refusal as exc:
            problem = problem_for(exc)
            reason = mask_ids_in_text(f"{problem.slug}: {problem.detail}")
            rows.append({"row": item.position, "status": "rejected", "reason": reason})
            continue
        rows.append({"row": item.position, "status": "accepted" if created else "duplicate",
                     "message_id": record.message_id, "sequence": record.sequence})  # fmt: skip
    rows.sort(key=lambda row: int(row["row"]))
    counts = {status: sum(row["status"] == status for row in rows)
              for status in ("accepted", "duplicate", "rejected")}  # fmt: skip
    return web.json_response({"total": batch.total, **counts, "rows": rows})


async def _translate(request: web.Request, accepts: str) -> tuple[str, InboundBatch]:
    name = request.match_info["adapter"]
    translator = request.app[INBOUND].translators.get(name)
    if translator is None or translator.accepts != accepts:
        raise Problem("not-found", f"no inbound adapter {name!r} takes {accepts} here")
    body = await request.read()
    try:
        batch = await translator.translate(body, request.headers, request.query)
    except SignatureRejected as exc:
        _count_rejection(request, "authentication-required", security=True)
        raise Problem("authentication-required", str(exc)) from exc
    except RequestRejected as exc:
        slug = _STATUS_SLUGS.get(exc.status or 422, "schema-violation")
        _count_rejection(request, slug, security=False)
        raise Problem(slug, str(exc)) from exc
    except AdapterError as exc:
        log.error("inbound adapter %s failed: %s", name, exc)
        raise Problem("internal-error", "the inbound adapter failed; the error was logged") from exc
    return name, batch


async def _recorded(
    request: web.Request, name: str, item: InboundItem
) -> tuple[LedgerRecord, bool]:
    # Counted by the ingestor, as records from streams and pulls are.
    return await request.app[INBOUND].ingest(name, item)


def _count_rejection(request: web.Request, slug: str, *, security: bool) -> None:
    request.app[METRICS].count_rejection(slug, security=security)


def _row_error(error: ItemError) -> dict[str, Any]:
    row: dict[str, Any] = {"row": error.position, "status": "rejected", "reason": error.reason}
    if error.column:
        row["column"] = error.column
    return row


def _unusable(detail: str, errors: tuple[ItemError, ...]) -> Problem:
    listed = [
        {"row": e.position, "detail": mask_ids_in_text(e.reason),
         **({"column": e.column} if e.column else {})}
        for e in errors
    ]  # fmt: skip
    return Problem("schema-violation", detail, extensions={"errors": listed})
