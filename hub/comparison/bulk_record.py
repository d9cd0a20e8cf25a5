"""The comparison's 免办 certifications into the ledger in bulk: the inbound path, batch-wise.

Each certification stays its own message — its own JWS signed by
``adapter:comparison``, its own message id from the period and the person —
and each goes through what :class:`~certhub.hub.ingress.inbound.InboundIngestor`
does to one message, done for a batch at a time:

1. **already there?** one lookup per batch (a re-run signs and records nothing);
2. **event, payload, signature and rows** — :func:`~certhub.hub.comparison.bulk_rows.prepare`
   (the canonical model's validators accept or refuse each row), in the signing
   workers when there are any, else here;
3. **verification of a sample only**: the first and the last message of each batch
   are verified against the trust store like any push (which also proves the key
   is enrolled and may send the type); the others are not re-verified. The hub
   made those signatures a moment ago with the key it just checked, and a
   signature it cannot have got wrong adds nothing when re-checked — what would
   go wrong (a wrong or unenrolled key, a type it may not send) goes wrong for
   the sample too. The exact JWS is stored, and ``certhub audit verify`` checks
   every one later;
4. **plan** — the planner (register entry, uplink, the 免办 notice) plans the
   first and the last record from their events validated again here; when it
   decides what :class:`~certhub.hub.comparison.bulk_rows.CertificationRows`
   writes out (its rows equal :func:`~certhub.hub.store.bulk_append.planned_rows`
   of the planner's effects, byte for byte) the batch goes as those rows, else
   every record is validated, planned and stored the full way (:meth:`BulkCertifier._full`);
5. **append** — :meth:`~certhub.hub.store.group_commit.GroupCommitQueue.append_many`:
   one transaction per batch, all or nothing, without a receipt (the sender is
   the hub itself; see :mod:`certhub.hub.store.bulk_append`).

Preparing batch *n + 1* (and *n + 2* with signing workers) overlaps recording batch *n*;
when the workers are the slower side, the recorder prepares the parts of the batch it
needs that no worker has taken yet (:meth:`~certhub.hub.comparison.signing.Queued.result`).
"""

from __future__ import annotations

import gc
import hashlib
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, Protocol

from pydantic import ValidationError

from certhub.hub.comparison import bulk_rows
from certhub.hub.comparison.bulk_plan import batch_shape, plan_batch
from certhub.hub.comparison.bulk_rows import CertificationRows, Refused, event_row, unpacked
from certhub.hub.comparison.certify import certification_event, message_id
from certhub.hub.comparison.signing import BatchSigner, Header, Queued
from certhub.hub.ingress.inbound import InboundSender, IntakeTally
from certhub.hub.ingress.pipeline import Plan, check_sender_area, ledger_message
from certhub.hub.procedure.uplink import uplink_delivery_id
from certhub.hub.store import AppendOutcome, Conflict, RecordKind, StoreUnavailable
from certhub.hub.store.bulk_append import (
    BulkAppender,
    BulkItem,
    BulkMessage,
    NotBulk,
    planned_rows,
)
from certhub.hub.store.certification_holds import CertificationHolds
from certhub.schemas import CertificationEvent, Refusal
from certhub.security import CompactJWS, MessageVerifier, VerifiedMessage, b64url_decode

__all__ = ["BulkCertifier"]

TYPE: Final = CertificationEvent.MESSAGE_TYPE
HELD: Final = "the person's death was confirmed while the run recorded; withheld"
_serialised = bulk_rows.serialised  # the name the guards' tests know

Row = tuple[str, tuple[Any, ...]]
"""A certification to record: (message id, row of ``certifications.parquet``)."""


@dataclass
class _Batch:
    """A batch on its way: its new rows, when it was received, its preparation (running)."""

    period: str
    rows: list[Row]
    now: datetime
    prepared: Queued[bulk_rows.Packed]


class BulkLedger(BulkAppender, CertificationHolds, Protocol):
    """A ledger that appends in bulk and says whom the hub proposed suspending."""


@dataclass
class BulkCertifier:
    """Records a run's certifications batch by batch (see the module's docstring).

    A pensioner a proposal to suspend them for non-certification names, approved or under
    review (``suspended``: read once a run, and the proposals new since before each batch),
    is planned one by one, whatever the batch: their certification may end the suspension,
    and then its planner opens the restoration proposal
    (:mod:`~certhub.hub.procedure.certified_restoration`); or it finds the suspension
    unsigned, and its write is refused (``conflict``) if the county approved the proposal
    before the batch committed - then it is planned again at once, and opens the
    restoration proposal (as the HTTP sender's retry does). No batch's shape carries either: a
    pensioner under review given the first record's effects was certified and suspended
    both, and no restoration ever proposed (238.00 a month stopped). A proposal made and
    approved between a batch's read and its commit (seconds; approving takes town staff's
    and the county's decisions) is the one window left.
    """

    sender: InboundSender
    store: BulkLedger
    verifier: Callable[[], MessageVerifier]
    plan: Plan
    signer: BatchSigner
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    tally: IntakeTally = field(default_factory=IntakeTally)
    suspended: frozenset[str] | None = None
    _proposals_read: int = field(default=0, init=False)  # the last proposal ``suspended`` has

    async def record(
        self,
        period: str,
        batches: Iterable[Sequence[tuple[Any, ...]]],
        advance: Callable[[int], None] | None = None,
    ) -> IntakeTally:
        """Record every row of ``batches`` (rows of ``certifications.parquet`` read with
        :data:`~certhub.hub.comparison.bulk_rows.SELECT`), in order.

        The objects that exist when it starts (the hub's modules, caches, settings) are
        kept out of the collector's full passes meanwhile (:func:`gc.freeze`): a batch
        makes hundreds of thousands of tuples, and each full pass walked all of those
        too (≈ 12 % of the CPU of a 20,000-record recording, bench/README.md).
        """
        if self.suspended is None:
            self.suspended, self._proposals_read = await self.store.suspension_proposed()
        pending: deque[_Batch] = deque()
        # With workers, two batches are prepared ahead: they never wait for the recorder
        # to hand them the next one, nor the recorder for them when a batch runs long.
        ahead = 2 if self.signer.workers else 1
        gc.freeze()
        try:
            for rows in batches:
                new = await self._new(period, rows)
                now = self.clock()
                header = Header(TYPE, self.sender.sender, int(now.timestamp()))
                args = (period, header, now)
                preparing = self.signer.submit(bulk_rows.prepare_packed, args, new)
                pending.append(_Batch(period, new, now, preparing))
                if advance is not None:
                    advance(len(rows))
                while len(pending) > ahead:
                    await self._append(pending.popleft())
            while pending:
                await self._append(pending.popleft())
        finally:
            gc.unfreeze()  # back into the oldest generation: collected as before
            for batch in pending:  # a failure: do not leave the preparations running
                batch.prepared.cancel()
        return self.tally

    async def _new(self, period: str, rows: Sequence[tuple[Any, ...]]) -> list[Row]:
        """The rows not recorded yet (by an earlier run, or earlier in this one)."""
        ids = [message_id(period, row[0]) for row in rows]
        stored = await self.store.find_many(self.sender.sender, ids)
        new: list[Row] = []
        seen: set[str] = set()
        for mid, row in zip(ids, rows, strict=True):
            if mid in stored or mid in seen:
                self.tally.already += 1
                continue
            seen.add(mid)
            new.append((mid, row))
        return new

    async def _append(self, batch: _Batch) -> None:
        certifications: list[CertificationRows] = []
        for packed in await batch.prepared.result():
            prepared = unpacked(packed)
            if isinstance(prepared, Refused):
                self.tally.refuse(prepared.message_id, prepared.reason)
            else:
                certifications.append(prepared)
        suspended = await self._proposed()
        one_by_one = [c for c in certifications if c.person_id in suspended]
        if one_by_one:  # the planner's own way: a restoration proposal it may open
            certifications = [c for c in certifications if c.person_id not in suspended]
        items = [
            *await self._shaped(batch, certifications),
            *await self._one_by_one(batch, one_by_one),
        ]
        again = await self._appended(items, retry=True)
        if again:  # planned on a suspension unsigned, signed since: planned again (it is now)
            # a batch's end the planner planned (a proposal newer than the batch's read) too:
            # left out, it was neither recorded nor counted refused
            retry = [c for c in (*certifications, *one_by_one) if c.message_id in again]
            await self._appended(await self._one_by_one(batch, retry), retry=False)

    async def _appended(self, items: Sequence[BulkItem], *, retry: bool) -> set[str]:
        """Append ``items`` and count what became of each; the message ids refused because
        what their plan found absent was recorded meanwhile (``conflict``), when ``retry``
        (else those are counted refused: a run again records them)."""
        if not items:
            return set()
        again: set[str] = set()
        outcomes = await self.store.append_many(items)
        for item, outcome in zip(items, outcomes, strict=True):
            if isinstance(outcome, AppendOutcome):
                self.tally.recorded += outcome.created
                self.tally.already += not outcome.created
            elif isinstance(outcome, StoreUnavailable):
                raise outcome
            elif retry and isinstance(outcome, Conflict):  # written out or not: planned again
                again.add(
                    item.message.message_id if isinstance(item, BulkMessage) else item.message_id
                )
            else:  # the same message id with other bytes (the first record stands), or what
                # its plan found absent recorded meanwhile twice
                mid = item.message.message_id if isinstance(item, BulkMessage) else item.message_id
                slug = outcome.slug if isinstance(outcome, Conflict) else "replay"
                self.tally.refuse(mid, f"{slug}: {outcome}")
        return again

    async def _proposed(self) -> frozenset[str]:
        """``suspended`` with the people the proposals made since it was read name (one
        indexed read of the new ones: none, as a rule)."""
        new, self._proposals_read = await self.store.suspension_proposed(self._proposals_read)
        self.suspended = (self.suspended or frozenset()) | new
        return self.suspended

    async def _shaped(
        self, batch: _Batch, certifications: list[CertificationRows]
    ) -> Sequence[BulkItem]:
        """``certifications`` as their written-out rows if the planner decides alike for the
        first and the last, else the full way."""
        if not certifications:
            return []
        trusted = self._sample(certifications[0].jws, certifications[-1].jws)
        items = await self._checked(batch, certifications, trusted)
        return items if items is not None else await self._full(batch, certifications, trusted)

    async def _one_by_one(
        self, batch: _Batch, certifications: list[CertificationRows]
    ) -> list[BulkItem]:
        """``certifications`` each planned by the planner itself (none: nothing)."""
        if not certifications:
            return []
        trusted = self._sample(certifications[0].jws, certifications[-1].jws)
        return await self._full(batch, certifications, trusted, each=True)

    async def _checked(
        self, batch: _Batch, certifications: list[CertificationRows], trusted: VerifiedMessage
    ) -> list[CertificationRows] | None:
        """The batch as its written-out rows, if the planner's effects for its first and
        last record give those very rows; None when the batch must go the full way."""
        if trusted.trusted.area is not None:  # a confined key: each record's area is checked
            return None
        rows = dict(batch.rows)
        ends = _ends(certifications)
        header = dict(trusted.jws.header)
        messages, events = [], []
        for end in ends:
            messages.append(_signed(trusted, end.jws, header, end.message_id, end.payload))
            try:
                events.append(certification_event(batch.period, event_row(rows[end.message_id])))
            except ValidationError:
                return None  # the workers accepted it: the full way says which is right
        shape = await batch_shape(self.plan, messages, events)
        if shape is None:
            return None
        if shape.uplink is not None:
            certifications = [_uplinked(c, shape.uplink) for c in certifications]
            ends = _ends(certifications)
        for end, message, event, effects in zip(ends, messages, events, shape.planned, strict=True):
            canonical = ledger_message(message, event, RecordKind.CERTIFICATION, batch.now)
            try:
                if end.rows(1) != planned_rows(1, canonical, effects):
                    return None
            except NotBulk:
                return None
        return certifications

    async def _full(
        self,
        batch: _Batch,
        certifications: list[CertificationRows],
        trusted: VerifiedMessage,
        *,
        each: bool = False,
    ) -> list[BulkItem]:
        """The batch the one-by-one way: each event validated again here, each record's area
        checked, the planner's effects (planned once when it decides alike, see
        :func:`plan_batch`; ``each``: every record by the planner itself), stored as any
        message."""
        rows = dict(batch.rows)
        header = dict(trusted.jws.header)
        messages: list[VerifiedMessage] = []
        events: list[CertificationEvent] = []
        for c in certifications:
            event = certification_event(batch.period, event_row(rows[c.message_id]))
            message = _signed(trusted, c.jws, header, c.message_id, c.payload)
            try:
                check_sender_area(message, event)
            except Refusal as exc:
                self.tally.refuse(c.message_id, f"{exc.slug}: {exc.detail}")
                continue
            messages.append(message)
            events.append(event)
        items: list[BulkItem] = []
        pairs = zip(messages, events, strict=True)
        planned = (
            [p for m, e in pairs for p in await plan_batch(self.plan, [m], [e])]
            if each  # every record by the planner itself, none from a shape
            else await plan_batch(self.plan, messages, events)
        )
        for message, event, effects in zip(messages, events, planned, strict=True):
            if isinstance(effects, Refusal):
                self.tally.refuse(message.jti, f"{effects.slug}: {effects.detail}")
                continue
            if effects.person_guard is not None:  # held: a death confirmed since the holds
                # were read (its write refused, planned again): withheld, as a run again does
                self.tally.refuse(message.jti, f"conflict: {HELD}")
                continue
            row = ledger_message(message, event, RecordKind.CERTIFICATION, batch.now)
            items.append(BulkMessage(row, effects))
        return items

    def _sample(self, first_token: bytes, last_token: bytes) -> VerifiedMessage:
        """Verify the batch's first and last message as any push is; the key they proved."""
        verifier = self.verifier()
        first = verifier.verify(first_token, allowed_types={TYPE})
        last = verifier.verify(last_token, allowed_types={TYPE})
        if first.sender != self.sender.sender or last.trusted.key.kid != first.trusted.key.kid:
            raise Refusal("forged-role", f"the batch is not signed as {self.sender.sender}")
        return first


def _ends(certifications: list[CertificationRows]) -> list[CertificationRows]:
    """A batch's first and last record (one when it is alone)."""
    return certifications[:1] + certifications[1:][-1:]


def _uplinked(certification: CertificationRows, uplink: tuple[str, str]) -> CertificationRows:
    delivery = uplink_delivery_id(certification.sender, certification.message_id)
    return certification._replace(uplink=(delivery, *uplink))


def _signed(
    sample: VerifiedMessage, token: bytes, header: dict[str, Any], mid: str, payload: bytes
) -> VerifiedMessage:
    """The message the hub just signed as ``token`` over ``payload``, its header the verified
    sample's but for the message id — what parsing the token would give, without decoding
    it again."""
    if token == sample.raw:
        return sample
    signing_input, _, signature = token.rpartition(b".")
    jws = CompactJWS(
        header | {"jti": mid}, payload, b64url_decode(signature.decode()), signing_input
    )
    digest = hashlib.sha256(token).hexdigest()
    return VerifiedMessage(jws=jws, trusted=sample.trusted, raw=token, digest=digest)
