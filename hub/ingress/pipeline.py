"""The ingress pipeline: verify → validate → record → receipt.

A pushed message is accepted only after it is durably in the ledger; its
receipt names the ledger sequence it got and is stored in the same
transaction (signed there, or ahead of it by the signature helper for the
sequence the ledger foresaw). Order of checks:

1. signature and sender permissions (``security``),
2. payload: UTF-8, JSON, canonical schema (``schemas``),
3. the key's area, and freshness of ``iat`` — unless the very same bytes were
   already accepted from that sender, in which case it gets its original
   receipt back (idempotent re-send, even long after the clock-skew window or
   after the key moved to another area),
4. append to the ledger; a reused message id with other bytes is a replay.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from certhub.hub.store import (
    AppendOutcome,
    LedgerStore,
    NewMessage,
    ReceiptFactory,
    RecordKind,
    ReplayConflict,
)
from certhub.hub.store.base import Presigner
from certhub.hub.store.effects import NO_EFFECTS, Effects
from certhub.monitoring.tracing import set_attributes, span, tracing_on
from certhub.schemas import (
    CertificationEvent,
    EligibilityReport,
    PersonRef,
    Refusal,
    RegionRef,
    ZeroReport,
    mask_ids_in_text,
    parse_message,
)
from certhub.schemas.clock import CHINA_STANDARD_TIME
from certhub.security import (
    MessageVerifier,
    ReceiptDraft,
    ReceiptSigner,
    SignatureHelper,
    VerifiedMessage,
    in_area,
)

Plan = Callable[[VerifiedMessage, BaseModel], Awaitable[Effects]]
"""Derives the state changes a verified, valid message causes (may refuse it)."""


@dataclass(frozen=True, slots=True)
class Accepted:
    """The ledger outcome of one accepted message."""

    outcome: AppendOutcome
    message: VerifiedMessage
    payload: BaseModel
    queued_deliveries: bool = False  # the commit wrote outbox rows: the relay has work


class IngressPipeline:
    """Turns received bytes into a durable, receipted ledger record."""

    def __init__(
        self,
        *,
        verifier: Callable[[], MessageVerifier],
        store: LedgerStore,
        receipts: Callable[[], ReceiptSigner],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        signatures: SignatureHelper | None = None,
    ) -> None:
        self._verifier = verifier  # a callable: the trust store reloads while we run
        self._store = store
        self._receipts = receipts
        self._clock = clock
        self._signatures = signatures  # checks signatures on another core

    async def accept(
        self,
        raw: bytes,
        *,
        kind: RecordKind,
        allowed_types: Collection[str],
        plan: Plan | None = None,
    ) -> Accepted:
        """Verify, validate and record ``raw`` with the effects ``plan`` derives.

        Raises a :class:`schemas.Refusal` (security, payload, rule or ledger) otherwise;
        nothing is stored then. Traced (when tracing is on) with who sent what.
        """
        if not tracing_on():  # every push passes here: no span attributes built for nobody
            return await self._accept(raw, kind=kind, allowed_types=allowed_types, plan=plan)
        attributes = {"certhub.kind": kind.value, "messaging.message.body.size": len(raw)}
        with span("ingress accept", attributes) as current:
            accepted = await self._accept(raw, kind=kind, allowed_types=allowed_types, plan=plan)
            set_attributes(current, _traced(accepted))
            return accepted

    async def _accept(
        self,
        raw: bytes,
        *,
        kind: RecordKind,
        allowed_types: Collection[str],
        plan: Plan | None,
    ) -> Accepted:
        verifier = self._verifier()
        if self._signatures is not None:
            message = await verifier.verify_on(self._signatures, raw, allowed_types=allowed_types)
        else:
            message = verifier.verify(raw, allowed_types=allowed_types)
        payload = validate_payload(message.typ, message.payload, now=self._clock())
        try:
            check_sender_area(message, payload)
            verifier.check_freshness(message)
        except Refusal:  # area-not-permitted or clock-skew
            # A late re-send, or one after the key moved to another area: if the ledger holds
            # these very bytes from this sender, the sender gets its receipt (it may never have
            # seen it); anything else is refused as the check said. Looked up only then: every
            # push passes here.
            already = await self._accepted_before(message, payload)
            if already is not None:
                return already
            raise
        effects = await plan(message, payload) if plan is not None else NO_EFFECTS
        new = _new_message(message, payload, kind, self._clock())
        receipt = self._receipts().draft(
            message_id=new.message_id,
            sender=new.sender,
            digest=new.sha256,
            received_at=new.received_at,
            message_type=new.message_type,
        )
        try:
            outcome = await self._store.append(new, receipt, effects)
        except ReplayConflict as exc:
            raise Refusal(
                "replay",
                f"message id {message.jti!r} was already used by this sender for another message",
            ) from exc
        return Accepted(
            outcome, message, payload, queued_deliveries=bool(effects.outbox or effects.notices)
        )

    async def _accepted_before(
        self, message: VerifiedMessage, payload: BaseModel
    ) -> Accepted | None:
        """The ledger's record of these very bytes from ``message``'s sender, as a duplicate;
        None if the sender's id holds nothing, or other bytes.

        The signature was verified with a key trusted now for that sender (a revoked key
        never gets here), and the digest covers the header (``kid``, ``iss``, ``jti``): only
        the sender that signed those bytes learns their receipt.
        """
        existing = await self._store.find(message.sender, message.jti)
        if existing is None or existing.sha256 != message.digest:
            return None
        return Accepted(AppendOutcome(existing, created=False), message, payload)


def _traced(accepted: Accepted) -> dict[str, str | int | bool]:
    """Who sent what, and where it went: span attributes (no personal data)."""
    message, outcome = accepted.message, accepted.outcome
    return {
        "certhub.sender": message.sender,
        "certhub.message_type": message.typ,
        "certhub.message_id": message.jti,
        "certhub.ledger.sequence": outcome.record.sequence,
        "certhub.duplicate": not outcome.created,
    }


def check_sender_area(message: VerifiedMessage, payload: BaseModel) -> None:
    """A key confined to an area speaks only for it: a report, zero report or certification
    about a place outside the key's area is refused (``area-not-permitted``).

    The area was set for reading (a village coordinator's phone); the same key
    filing for another village would register what it may not even read. A
    report names two places, where it was filed and where its person is
    registered: both must be inside, or a village phone could report the death
    of anyone in the province by naming its own village as the filer.
    """
    area = message.trusted.area
    if area is None:
        return
    for region in _regions_of(payload):
        if not in_area(area, region.county, region.village):
            place = region.village or region.county
            raise Refusal(
                "area-not-permitted", f"this key speaks for area {area.code}, not for {place}"
            )


def _regions_of(payload: BaseModel) -> tuple[RegionRef, ...]:
    if isinstance(payload, EligibilityReport):
        return payload.region, payload.person.region
    if isinstance(payload, ZeroReport):
        return (payload.region,)
    person: PersonRef | None = getattr(payload, "person", None)
    return () if person is None else (person.region,)


def validate_payload(
    message_type: str, payload: bytes, *, now: datetime | None = None
) -> BaseModel:
    """Parse the signed payload into its canonical model, or raise a :class:`schemas.Refusal`.

    ``now`` is the hub's time the payload's dates are judged against (no event
    after it beyond the clock skew).
    """
    try:
        payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refusal("invalid-utf8", f"payload byte {exc.start} is not valid UTF-8") from exc
    try:
        return parse_message(message_type, payload, now=now)
    except ValidationError as exc:
        errors = exc.errors(include_input=False, include_url=False, include_context=False)
        if any(error["type"] == "json_invalid" for error in errors):
            raise Refusal("invalid-json", "the payload is not a JSON document") from exc
        raise Refusal(
            "schema-violation",
            f"the {message_type} payload violates the schema in {len(errors)} place(s)",
            {"errors": [_field_error(error) for error in errors]},
        ) from exc


def _field_error(error: Any) -> dict[str, str]:
    pointer = "".join(f"/{part}" for part in error["loc"])
    # A validator message may quote its input; never echo an ID number back.
    return {"pointer": pointer, "detail": mask_ids_in_text(error["msg"]), "code": error["type"]}


def ledger_message(
    message: VerifiedMessage, payload: BaseModel, kind: RecordKind, now: datetime
) -> NewMessage:
    """The ledger row of a verified, valid ``message`` received at ``now``, as :meth:`accept`
    stores it (for a bulk writer of the hub's own adapter messages)."""
    return _new_message(message, payload, kind, now)


def _new_message(
    message: VerifiedMessage, payload: BaseModel, kind: RecordKind, now: datetime
) -> NewMessage:
    jws, trusted = message.jws, message.trusted
    # Positional, in the declared order (SignedMessage's fields, then the indexed
    # columns): every pushed message passes here, and keywords cost about a sixth more.
    return NewMessage(
        kind,
        jws.typ,  # message_type
        trusted.sender,
        jws.jti,  # message_id
        trusted.key.kid,
        message.digest,  # sha256
        message.raw,  # jws
        jws.payload,
        now,  # received_at
        *_columns(payload, now),
    )


_Indexed = tuple[str | None, str | None, str, str | None, str | None, str | None, str | None]
"""(county, reason or method, month, village, person ID, channel, outcome): the columns
the ledger indexes a message by, in :class:`NewMessage`'s order."""


def _columns(payload: BaseModel, now: datetime) -> _Indexed:
    """The indexed columns of a payload: region, reason/method, month, person, channel, outcome.

    A report counts for the month the hub received it (the province's monthly
    reporting counts what was filed that month); a zero report for the period
    it names; a certification for the month it happened (China Standard Time).
    Dispatch by type: probing pydantic models for absent attributes is slow.
    """
    if isinstance(payload, EligibilityReport):  # most pushes
        region, reason, person_id = payload.region, payload.reason.value, payload.person.id_number
        return region.county, reason, _month(now), region.village, person_id, None, None
    if isinstance(payload, ZeroReport):
        region = payload.region
        return region.county, None, payload.period, region.village, None, None, None
    if isinstance(payload, CertificationEvent):
        person, region = payload.person, payload.person.region
        return (
            region.county,
            payload.method.value,
            _month(payload.occurred_at),
            region.village,
            person.id_number,
            payload.channel.kind.value,
            payload.outcome.value,
        )
    about: PersonRef | None = getattr(payload, "person", None)
    if about is None:
        return None, None, _month(now), None, None, None, None
    region = about.region
    return region.county, None, _month(now), region.village, about.id_number, None, None


def _month(moment: datetime) -> str:
    local = moment.astimezone(CHINA_STANDARD_TIME)
    return f"{local.year:04d}-{local.month:02d}"  # strftime is several times slower


def receipt_presigner(helper: SignatureHelper) -> Presigner:
    """A store presigner that has ``helper`` sign receipt drafts, one batch per key."""

    async def presign(requests: Sequence[tuple[ReceiptFactory, int]]) -> list[str | None]:
        receipts: list[str | None] = [None] * len(requests)
        by_key: dict[str, list[tuple[int, ReceiptDraft, bytes]]] = {}
        for index, (draft, sequence) in enumerate(requests):
            if isinstance(draft, ReceiptDraft):  # anything else signs in the transaction
                signing_input = draft.signing_input(sequence)
                by_key.setdefault(draft.signer.key.kid, []).append((index, draft, signing_input))
        for drafts in by_key.values():
            key = drafts[0][1].signer.key
            signatures = await helper.sign_many(key, [entry[2] for entry in drafts])
            for (index, draft, signing_input), signature in zip(drafts, signatures, strict=True):
                receipts[index] = draft.finish(signing_input, signature)
        return receipts

    return presign
