"""Inbound adapters feed the ledger through exactly the same path as pushed messages.

An inbound adapter (ministry pull, bank terminal events, a city platform's
native JSON) verifies the department's own authentication, translates the
native record into a canonical ``schemas`` model, and hands it here. The hub
signs it with that adapter's own key — enrolled in the trust store as sender
``adapter:<name>`` with exactly the types it may produce — and runs it through
:class:`~certhub.hub.ingress.pipeline.IngressPipeline` like any HTTP push: verify, validate,
plan, ledger, receipt. A stable ``message_id`` from the department's record
id makes re-ingesting the same record idempotent.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from certhub.hub.ingress.bank_twins import recorded_twin, twin_guarded
from certhub.hub.ingress.pipeline import IngressPipeline, Plan
from certhub.hub.store import Conflict, LedgerRecord, LedgerStore, RecordKind
from certhub.monitoring.metrics import HubMetrics
from certhub.schemas import (
    BiometricEnrolment,
    CertificationEvent,
    EligibilityReport,
    Message,
    Refusal,
    TaskTransition,
    ZeroReport,
)
from certhub.security import (
    SecurityError,
    SigningKey,
    TrustStore,
    read_private_key,
    sign_compact,
    write_private_key,
)

CONFLICT_ATTEMPTS: Final = 3  # plans of one message that lost races, as the AMQP ingress's

KIND_OF: dict[type[Message], RecordKind] = {
    CertificationEvent: RecordKind.CERTIFICATION,
    EligibilityReport: RecordKind.REPORT,
    ZeroReport: RecordKind.REPORT,
    TaskTransition: RecordKind.TASK_TRANSITION,  # the comparison clearing on a void
    BiometricEnrolment: RecordKind.BIOMETRIC,  # the national platform's enrolment feed
}


@dataclass(frozen=True)
class InboundSender:
    """One inbound adapter's signing identity."""

    sender: str
    key: SigningKey
    may_send: frozenset[str]


@dataclass
class IntakeTally:
    """What became of the records handed to the ledger so far.

    Each was recorded now, recorded before (by an earlier run or import: its
    message id is in the ledger) or refused; a refusal is kept as one line
    naming the record and why (``<record>: <reason>``, no ID number).
    """

    recorded: int = 0
    already: int = 0
    refusals: list[str] = field(default_factory=list)

    @property
    def refused(self) -> int:
        """How many were refused."""
        return len(self.refusals)

    @property
    def handled(self) -> int:
        """How many were handed over: recorded, already recorded or refused."""
        return self.recorded + self.already + self.refused

    def refuse(self, record: str, reason: str) -> None:
        """One more refused record (``reason`` names no ID number)."""
        self.refusals.append(f"{record}: {reason}")


def adapter_sender(adapter: str) -> str:
    """The sender id the hub signs an inbound adapter's records under."""
    return f"adapter:{adapter}"


def adapter_key_path(keys_dir: Path, adapter: str) -> Path:
    """Where the data folder keeps an inbound adapter's private key (PEM, 0600)."""
    return keys_dir / "adapters" / f"{adapter}.key.pem"


def enrol_inbound(
    keys_dir: Path,
    trust_path: Path,
    adapter: str,
    may_send: Collection[str],
    key: SigningKey | None = None,
) -> InboundSender:
    """The adapter's key and its trust-store entry (idempotent).

    ``key`` is the deployment's key for the adapter (PostgreSQL: the same in
    every process); without one, the data folder's, created on first use (0600).
    """
    sender = adapter_sender(adapter)
    path = adapter_key_path(keys_dir, adapter)
    if key is None and path.exists():
        key = read_private_key(path)
    elif key is None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = SigningKey.generate()
        write_private_key(key, path)
    store = TrustStore.load(trust_path) if trust_path.exists() else TrustStore.empty()
    entry = store.get(key.kid)
    if entry is None or entry.may_send != frozenset(may_send):
        store = store.add(
            key.public_jwk(),
            sender=sender,
            may_send=list(may_send),
            may_read=False,
            role="department",
        )
        store.save(trust_path)
    return InboundSender(sender, key, frozenset(may_send))


class InboundIngestor:
    """Signs translated canonical messages as the adapter and records them."""

    def __init__(
        self,
        pipeline: IngressPipeline,
        store: LedgerStore,
        plan: Plan,
        metrics: HubMetrics | None = None,
    ) -> None:
        """Record through ``pipeline`` with the intake ``plan`` (same as HTTP pushes).

        ``metrics`` counts each record as a push is counted (received, certifications,
        refusals), so what arrives through an adapter shows on the same dashboards and
        alerts; None for a one-off writer beside the hub (``certhub bank import``).
        """
        self._pipeline = pipeline
        self._store = store
        self._plan = plan
        self._metrics = metrics

    async def ingest(
        self, source: InboundSender, message: Message, message_id: str
    ) -> LedgerRecord:
        """Record one translated message once; raises what an HTTP push would be refused with.

        A record the adapter already ingested under ``message_id`` is returned
        as it is — a re-pull after a crash changes nothing — if it translates
        to the same canonical payload; other content under that id (a channel
        re-sending an event with ``result`` changed) is a ``replay`` refusal
        (409), as for a pushed message: the first record stands, nothing is
        stored, and the department must send the correction under a new id.
        A bank certification the other way recorded first (:mod:`.bank_twins`) is
        returned as that record: the terminal's and the file's are one certification.
        One that lost a race (``conflict``: what its plan read changed before it
        committed, nothing stored) is planned again on what committed, as an HTTP
        sender retries its 409: an adapter's caller refuses for good what this raises
        (the bank terminal's consumer dead-letters it).
        """
        record, _created = await self.ingest_outcome(source, message, message_id)
        return record

    async def ingest_outcome(
        self, source: InboundSender, message: Message, message_id: str
    ) -> tuple[LedgerRecord, bool]:
        """As :meth:`ingest`, and whether this call recorded it (a look-up before would not
        say: the same record ingested at the same time finds nothing either)."""
        try:
            record, created = await self._record_retried(source, message, message_id)
        except Refusal as exc:
            if self._metrics is not None:
                self._metrics.count_rejection(exc.slug, security=isinstance(exc, SecurityError))
            raise
        if self._metrics is not None:
            self._metrics.count_verified(
                record.message_type, record.sender, record.payload, created=created
            )
        return record, created

    async def _record_retried(
        self, source: InboundSender, message: Message, message_id: str
    ) -> tuple[LedgerRecord, bool]:
        for _ in range(1, CONFLICT_ATTEMPTS):
            try:
                return await self._record(source, message, message_id)
            except Conflict as exc:
                if exc.slug != "conflict":
                    raise
        return await self._record(source, message, message_id)

    async def _record(
        self, source: InboundSender, message: Message, message_id: str
    ) -> tuple[LedgerRecord, bool]:
        kind = KIND_OF.get(type(message))
        if kind is None:
            raise TypeError(f"no inbound route for {type(message).__name__}")
        payload = json.dumps(message.model_dump(mode="json"), ensure_ascii=False).encode()
        existing = await self._store.find(source.sender, message_id)
        if existing is not None:
            if existing.payload != payload:  # a changed record under a used id: never a duplicate
                raise Refusal(
                    "replay",
                    f"record id {message_id!r} was already recorded with other content; "
                    "a correction needs a record id of its own",
                )
            return existing, False
        # A bank certification the other way (live terminal / reconciliation file) recorded
        # first is the same certification: its record, nothing new (other content: replay).
        twin = await recorded_twin(self._store, source.sender, message, message_id)
        if twin is not None:
            return twin, False
        token = sign_compact(
            payload,
            key=source.key,
            typ=message.MESSAGE_TYPE,
            sender=source.sender,
            jti=message_id,
        )
        # the other way recording it meanwhile refuses the write (conflict): planned again,
        # the look-up above finds its record
        plan = twin_guarded(self._plan, source.sender, message, message_id)
        try:
            accepted = await self._pipeline.accept(
                token, kind=kind, allowed_types={message.MESSAGE_TYPE}, plan=plan
            )
        except Refusal as exc:
            # The same record, ingested at the same time (a bank file listing a line twice),
            # committed first under a token signed in another second: other bytes, one content.
            existing = await self._store.find(source.sender, message_id)
            if exc.slug != "replay" or existing is None or existing.payload != payload:
                raise
            return existing, False
        return accepted.outcome.record, accepted.outcome.created
