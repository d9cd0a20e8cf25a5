"""The comparison's 免办 certifications into the ledger in bulk: the inbound path, batch-wise.

Each certification stays its own message — its own JWS signed by
``adapter:comparison``, its own message id from the period and the person —
and each goes through what :class:`~certhub.hub.ingress.inbound.InboundIngestor`
does to one message, done for a batch at a time:

1. **already there?** one lookup per batch (a re-run signs and records nothing);
2. **payload** — built by :func:`~certhub.hub.comparison.certify.certification_event`
   (the canonical model's validators accept or refuse each row) and serialised exactly
   as the inbound path does; a sample is parsed again as the inbound path parses every
   payload (see :meth:`BulkCertifier._validated` for why a sample);
3. **signature** — :class:`~certhub.hub.comparison.signing.BatchSigner`, here or on
   the other core;
4. **verification of a sample only**: the first and the last message of each batch
   are verified against the trust store like any push (which also proves the key
   is enrolled and may send the type); the others are not re-verified. The hub
   made those signatures a moment ago with the key it just checked, and a
   signature it cannot have got wrong adds nothing when re-checked — what would
   go wrong (a wrong or unenrolled key, a type it may not send) goes wrong for
   the sample too. The exact JWS is stored, and ``certhub audit verify`` checks
   every one later;
5. **plan** — the same planner as one by one (register entry, uplink, the 免办
   notice), one effects plan per record;
6. **append** — :meth:`~certhub.hub.store.group_commit.GroupCommitQueue.append_many`:
   one transaction per batch, all or nothing, without a receipt (the sender is
   the hub itself; see :mod:`certhub.hub.store.bulk_append`).

Signing batch *n + 1* overlaps recording batch *n*.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from pydantic import ValidationError

from certhub.hub.comparison.bulk_plan import plan_batch
from certhub.hub.comparison.certify import (
    certification_event,
    event_payload,
    message_id,
    templated_payload,
)
from certhub.hub.comparison.signing import BatchSigner, Header
from certhub.hub.ingress.inbound import InboundSender
from certhub.hub.ingress.pipeline import (
    Plan,
    check_sender_area,
    ledger_message,
    validate_payload,
)
from certhub.hub.store import AppendOutcome, RecordKind, StoreUnavailable
from certhub.hub.store.bulk_append import BulkAppender, BulkMessage
from certhub.schemas import CertificationEvent, Refusal
from certhub.security import CompactJWS, MessageVerifier, VerifiedMessage, b64url_decode

__all__ = ["BulkCertifier", "BulkTally"]

TYPE: Final = CertificationEvent.MESSAGE_TYPE


@dataclass
class BulkTally:
    """Outcomes of the certifications recorded so far; the refused ones' masked reasons."""

    recorded: int = 0
    already: int = 0
    refused: int = 0
    reasons: list[str] = field(default_factory=list)

    def refuse(self, mid: str, reason: str) -> None:
        """One more refused message (the reason names no ID number)."""
        self.refused += 1
        self.reasons.append(f"{mid}: {reason}")


@dataclass
class _Prepared:
    """A batch after lookup and validation, before signing: (message id, payload, event)."""

    items: list[tuple[str, bytes, CertificationEvent]]


@dataclass
class BulkCertifier:
    """Records a run's certifications batch by batch (see the module's docstring)."""

    sender: InboundSender
    store: BulkAppender
    verifier: Callable[[], MessageVerifier]
    plan: Plan
    signer: BatchSigner
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    tally: BulkTally = field(default_factory=BulkTally)

    async def record(
        self,
        period: str,
        batches: Iterable[Sequence[tuple[Any, ...]]],
        advance: Callable[[int], None] | None = None,
    ) -> BulkTally:
        """Record every row of ``batches`` (rows of ``certifications.parquet``), in order."""
        previous: tuple[_Prepared, asyncio.Future[list[bytes]], datetime] | None = None
        try:
            for rows in batches:
                prepared = await self._prepare(period, rows)
                now = self.clock()
                signing = asyncio.ensure_future(self._sign(prepared, now))
                if previous is not None:
                    await self._append(*previous)
                previous = (prepared, signing, now)
                if advance is not None:
                    advance(len(rows))
            if previous is not None:
                await self._append(*previous)
                previous = None
        finally:
            if previous is not None:  # a failure: do not leave the signing running
                previous[1].cancel()
        return self.tally

    async def _prepare(self, period: str, rows: Sequence[tuple[Any, ...]]) -> _Prepared:
        ids = [message_id(period, row[0]) for row in rows]
        stored = await self.store.find_many(self.sender.sender, ids)
        items: list[tuple[str, bytes, CertificationEvent]] = []
        seen: set[str] = set()
        for mid, row in zip(ids, rows, strict=True):
            if mid in stored or mid in seen:  # recorded by an earlier run, or twice in this one
                self.tally.already += 1
                continue
            seen.add(mid)
            try:
                event = certification_event(period, row)
            except ValidationError as exc:
                self.tally.refuse(mid, f"{exc.error_count()} schema error(s)")
                continue
            items.append((mid, templated_payload(event) or event_payload(event), event))
        return _Prepared(self._validated(_serialised(items)))

    def _validated(
        self, items: list[tuple[str, bytes, CertificationEvent]]
    ) -> list[tuple[str, bytes, CertificationEvent]]:
        """The items whose payload the canonical schema accepts.

        Each payload is the model's own serialisation of an event its validators
        have just accepted (:func:`certification_event`), so parsing it again only
        proves that the serialisation round-trips under the strict JSON rules and
        the hub's clock; the first and the last of the batch are parsed so, as the
        inbound path parses every one, and on any refusal every item is (then
        exactly the refused ones are left out). Parsing all of them measured
        ≈ 90 µs a record on this machine, more than the signature.
        """
        if not items:
            return []
        now = self.clock()
        try:
            for _, payload, _ in (items[0], items[-1]):
                validate_payload(TYPE, payload, now=now)
        except Refusal:
            return self._one_by_one(items, now)
        return items

    def _one_by_one(
        self, items: list[tuple[str, bytes, CertificationEvent]], now: datetime
    ) -> list[tuple[str, bytes, CertificationEvent]]:
        kept = []
        for mid, payload, _ in items:
            try:
                parsed = validate_payload(TYPE, payload, now=now)
            except Refusal as exc:
                self.tally.refuse(mid, f"{exc.slug}: {exc.detail}")
                continue
            assert isinstance(parsed, CertificationEvent)  # noqa: S101 - parsed as TYPE
            kept.append((mid, payload, parsed))
        return kept

    async def _sign(self, prepared: _Prepared, now: datetime) -> list[bytes]:
        header = Header(TYPE, self.sender.sender, int(now.timestamp()))
        return await self.signer.sign(
            header, [(payload, mid) for mid, payload, _ in prepared.items]
        )

    async def _append(
        self, prepared: _Prepared, signing: asyncio.Future[list[bytes]], now: datetime
    ) -> None:
        tokens = await signing
        if not tokens:
            return
        trusted = self._sample(tokens)
        header = dict(trusted.jws.header)
        messages: list[VerifiedMessage] = []
        events: list[CertificationEvent] = []
        for token, (mid, payload, event) in zip(tokens, prepared.items, strict=True):
            message = (
                trusted if trusted.raw == token else _signed(trusted, token, header, mid, payload)
            )
            try:
                check_sender_area(message, event)
            except Refusal as exc:
                self.tally.refuse(mid, f"{exc.slug}: {exc.detail}")
                continue
            messages.append(message)
            events.append(event)
        batch: list[BulkMessage] = []
        planned = await plan_batch(self.plan, messages, events)
        for message, event, effects in zip(messages, events, planned, strict=True):
            if isinstance(effects, Refusal):
                self.tally.refuse(message.jti, f"{effects.slug}: {effects.detail}")
                continue
            batch.append(
                BulkMessage(ledger_message(message, event, RecordKind.CERTIFICATION, now), effects)
            )
        outcomes = await self.store.append_many(batch)
        for item, outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, AppendOutcome):
                self.tally.recorded += outcome.created
                self.tally.already += not outcome.created
            elif isinstance(outcome, StoreUnavailable):
                raise outcome
            else:  # the same message id with other bytes: the first record stands
                self.tally.refuse(item.message.message_id, f"replay: {outcome}")

    def _sample(self, tokens: Sequence[bytes]) -> VerifiedMessage:
        """Verify the batch's first and last message as any push is; the key they proved."""
        verifier = self.verifier()
        first = verifier.verify(tokens[0], allowed_types={TYPE})
        last = verifier.verify(tokens[-1], allowed_types={TYPE})
        if first.sender != self.sender.sender or last.trusted.key.kid != first.trusted.key.kid:
            raise Refusal("forged-role", f"the batch is not signed as {self.sender.sender}")
        return first


def _serialised(
    items: list[tuple[str, bytes, CertificationEvent]],
) -> list[tuple[str, bytes, CertificationEvent]]:
    """``items`` with payloads exactly as the inbound path serialises them.

    They were made from a template (:func:`templated_payload`); the first and the
    last are checked against the model's own serialisation, and if either differs
    (the schema changed under the template), every payload is made the model's way.
    """
    if all(payload == event_payload(event) for _, payload, event in items[:1] + items[-1:]):
        return items
    return [(mid, event_payload(event), event) for mid, _, event in items]


def _signed(
    sample: VerifiedMessage, token: bytes, header: dict[str, Any], mid: str, payload: bytes
) -> VerifiedMessage:
    """The message the hub just signed as ``token`` over ``payload``, its header the verified
    sample's but for the message id — what parsing the token would give, without decoding
    it again."""
    signing_input, _, signature = token.rpartition(b".")
    jws = CompactJWS(
        header | {"jti": mid}, payload, b64url_decode(signature.decode()), signing_input
    )
    digest = hashlib.sha256(token).hexdigest()
    return VerifiedMessage(jws=jws, trusted=sample.trusted, raw=token, digest=digest)
