"""Evidence endpoints: upload by a sending system, download by a reader.

Uploads are raw bodies (JPEG, PNG or PDF) checked by content; the response
names the evidence by its SHA-256, which reports and certifications then cite.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from datetime import datetime
from typing import Final

from aiohttp import web

from certhub.hub.api.auth import require_reader
from certhub.hub.api.report_bound import UPLOADS, HourlyBound, Sender
from certhub.hub.core.keys import (
    EVIDENCE,
    METRICS,
    SETTINGS,
    SHARED_TURNS,
    STORE,
    TRUST,
    UPLOAD_TURNS,
)
from certhub.hub.evidence import (
    EvidenceCorrupt,
    EvidenceMeta,
    EvidenceNotFound,
    EvidenceRejected,
    EvidenceVault,
    is_digest,
    parse_content_digest,
)
from certhub.hub.evidence.pg_store import DatabaseEvidenceVault
from certhub.hub.problems import Problem
from certhub.schemas import Role
from certhub.security import Reader

log = logging.getLogger(__name__)

EVIDENCE_SCOPE: Final = "evidence"
_SCHEME: Final = "bearer "
_CHUNK_BYTES: Final = 64 * 1024
_EXTENSIONS: Final = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}

routes = web.RouteTableDef()


@routes.post("/v1/evidence")
async def upload_evidence(request: web.Request) -> web.Response:
    """Store one piece of evidence; ``201`` when new, ``200`` when already stored."""
    uploader = _require_uploader(request)
    app = request.app
    vault = app[EVIDENCE]
    bound = HourlyBound(
        UPLOADS,
        app[SETTINGS].coordinator_uploads_per_hour,
        app[UPLOAD_TURNS],
        shared=app[SHARED_TURNS],
    )
    try:
        header = request.headers.get("Content-Digest")
        claimed = parse_content_digest(header) if header is not None else None
        data = await _read_body(request, vault.max_bytes)
        await _within_bound(request, bound, uploader, data)
        meta = await _store(vault, data, request.content_type, claimed)
        href = f"/v1/evidence/{meta.sha256}"
        # The audit chain records every blob that enters the vault, and every other sender
        # that uploads the very bytes later: holding them is what an upload proves, and
        # the file's reads in an area follow who uploaded it (``_may_read``).
        store = app[STORE]
        if meta.created or not await store.evidence_stored_by(meta.sha256, uploader.sender):
            await store.record_audit("evidence_stored", meta.sha256, uploader.sender, meta.sha256)
    except EvidenceRejected as exc:
        log.info("evidence refused: %s", exc.slug, extra={"sender": uploader.sender})
        app[METRICS].evidence_refusals.labels(reason=exc.slug).inc()
        raise  # a Refusal: the problem middleware answers it
    finally:  # the coordinator's turn lasts until its file is stored and audited (or refused)
        await bound.release()
    log.info(
        "evidence %s",
        "stored" if meta.created else "already stored",
        extra={"sender": uploader.sender, "sha256": meta.sha256, "size": meta.size},
    )
    return web.json_response(
        _meta_body(meta, href), status=201 if meta.created else 200, headers={"Location": href}
    )


@routes.get("/v1/evidence/{digest}")
async def download_evidence(request: web.Request) -> web.Response:
    """Serve one piece of evidence, decrypted and digest-checked, to a reader.

    A reader confined to an area gets only evidence its uploader cites in the area
    (:meth:`~certhub.hub.store.pull_reads.PullReads.cites_evidence`); any other digest
    is answered exactly as one never stored. A village
    coordinator's key gets only what it uploaded itself: its phone is lost more
    easily than a counter's PC, and nothing a coordinator does needs the ID card
    scans and face photos that town staff collect in its village (PIPL's
    minimisation), so those are not found either.
    """
    reader = require_reader(request)
    digest = request.match_info["digest"]
    if not is_digest(digest):
        raise Problem("invalid-parameter", "an evidence digest is 64 lowercase hex characters")
    not_found = Problem("evidence-not-found", "no evidence is stored under this digest")
    if not await _may_read(request, reader, digest):
        raise not_found
    try:
        data, meta = await request.app[EVIDENCE].get(digest)
    except EvidenceNotFound as exc:
        raise not_found from exc
    except EvidenceCorrupt as exc:
        log.error("stored evidence %s failed its integrity check: %s", digest, exc)
        raise Problem(
            "evidence-corrupt", "stored evidence failed its integrity check; the error was logged"
        ) from exc
    except OSError as exc:  # the folder or the deployment's database cannot be read now
        log.error("evidence store cannot read: %s", exc)
        raise Problem(
            "store-unavailable", "the evidence store cannot be read right now; retry"
        ) from exc
    log.info("evidence served", extra={"sender": reader.sender, "sha256": digest})
    filename = f"{digest}.{_EXTENSIONS.get(meta.media_type, 'bin')}"
    return web.Response(
        body=data,
        content_type=meta.media_type,
        headers={
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Repr-Digest": f"sha-256=:{base64.b64encode(bytes.fromhex(digest)).decode()}:",
        },
    )


async def _within_bound(
    request: web.Request, bound: HourlyBound, uploader: Reader, data: bytes
) -> None:
    """Wait for the uploader's turn; refuse a coordinator's file past its hourly bound
    (:mod:`certhub.hub.api.report_bound`) unless it stored these very bytes before.

    Raises:
        Problem: ``uploads-rate-limited`` with ``Retry-After``.
    """
    who = Sender(uploader.sender, uploader.kid, uploader.role, uploader.area)
    store = request.app[STORE]

    async def stored(since: datetime) -> tuple[int, datetime]:
        return await store.uploads_since(uploader.sender, since)

    async def stored_already() -> bool:  # its 200 again: nothing more enters the vault
        return await store.evidence_stored_by(hashlib.sha256(data).hexdigest(), uploader.sender)

    try:
        await bound.admit(who, stored, stored_already)
    except Problem as exc:  # counted with the vault's refusals: the county sees the phone
        request.app[METRICS].evidence_refusals.labels(reason=exc.slug).inc()
        raise


async def _may_read(request: web.Request, reader: Reader, digest: str) -> bool:
    """Whether ``reader`` may download ``digest`` (stored or not: the answer is the same)."""
    store = request.app[STORE]
    if reader.role == Role.coordinator:
        return await store.evidence_stored_by(digest, reader.sender)
    return reader.area is None or await store.cites_evidence(digest, reader.area)


def _require_uploader(request: web.Request) -> Reader:
    """The sender a bearer token with scope ``evidence`` proves; refuse anonymous uploads."""
    header = request.headers.get("Authorization", "")
    token = header[len(_SCHEME) :].strip() if header.lower().startswith(_SCHEME) else ""
    if not token:
        raise Problem(
            "authentication-required",
            "uploading evidence needs a bearer token with scope 'evidence' signed by a key "
            "that may send messages",
            headers={"WWW-Authenticate": 'Bearer realm="certhub"'},
        )
    tokens = request.app[TRUST].tokens
    uploader: Reader = tokens.verify(token, scope=EVIDENCE_SCOPE, require_read_permission=False)
    return uploader


async def _read_body(request: web.Request, limit: int) -> bytes:
    """The whole body, refusing more than ``limit`` bytes without buffering past it.

    Read from the stream, not ``request.read()``: the app's ``client_max_size``
    is the (smaller) signed-message limit.
    """
    too_large = EvidenceRejected("evidence-too-large", f"evidence may be at most {limit} bytes")
    if request.content_length is not None and request.content_length > limit:
        raise too_large
    body = bytearray()
    async for chunk in request.content.iter_chunked(_CHUNK_BYTES):
        body += chunk
        if len(body) > limit:
            raise too_large
    return bytes(body)


async def _store(
    vault: EvidenceVault | DatabaseEvidenceVault,
    data: bytes,
    declared_type: str,
    claimed: str | None,
) -> EvidenceMeta:
    """Put ``data`` in the vault; a vault that cannot write is ``store-unavailable`` (503).

    Like a ledger that cannot commit: the hub's storage, not the upload, is at
    fault, and the sender should retry later. The path stays in the log.
    """
    try:
        return await vault.put(data, declared_type=declared_type, content_digest=claimed)
    except OSError as exc:
        log.error("evidence vault cannot store: %s", exc)
        raise Problem(
            "store-unavailable", "the evidence store cannot write right now; retry"
        ) from exc


def _meta_body(meta: EvidenceMeta, href: str) -> dict[str, object]:
    return {"sha256": meta.sha256, "media_type": meta.media_type, "size": meta.size, "href": href}
