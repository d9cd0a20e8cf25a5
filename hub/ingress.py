"""The ingress pipeline: verify → validate → record → receipt.

A pushed message is accepted only after it is durably in the ledger; the
receipt is signed inside the same transaction. Order of checks:

1. signature and sender permissions (``security``),
2. payload: UTF-8, JSON, canonical schema (``schemas``),
3. freshness of ``iat`` — unless the very same bytes were already accepted,
   in which case the sender gets its original receipt back (idempotent
   re-send, even long after the clock-skew window),
4. append to the ledger; a reused message id with other bytes is a replay.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from pydantic import BaseModel, ValidationError

from hub.api.problems import Problem
from hub.store import AppendOutcome, LedgerStore, NewMessage, RecordKind, ReplayConflict
from schemas import mask_ids_in_text, parse_message
from security import ClockSkew, MessageVerifier, ReceiptSigner, VerifiedMessage

CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")


@dataclass(frozen=True, slots=True)
class Accepted:
    """The ledger outcome of one accepted message."""

    outcome: AppendOutcome
    message: VerifiedMessage


class IngressPipeline:
    """Turns received bytes into a durable, receipted ledger record."""

    def __init__(
        self,
        *,
        verifier: Callable[[], MessageVerifier],
        store: LedgerStore,
        receipts: Callable[[], ReceiptSigner],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._verifier = verifier  # a callable: the trust store reloads while we run
        self._store = store
        self._receipts = receipts
        self._clock = clock

    async def accept(
        self, raw: bytes, *, kind: RecordKind, allowed_types: Collection[str]
    ) -> Accepted:
        """Verify, validate and record ``raw``; raise a Problem/SecurityError otherwise."""
        verifier = self._verifier()
        message = verifier.verify(raw, allowed_types=allowed_types)
        payload = validate_payload(message.typ, message.payload)
        try:
            verifier.check_freshness(message)
        except ClockSkew:
            existing = await self._store.find(message.sender, message.jti)
            if existing is not None and existing.sha256 == message.digest:
                return Accepted(AppendOutcome(existing, created=False), message)
            raise
        new = _new_message(message, payload, kind, self._clock())
        signer = self._receipts()
        try:
            outcome = await self._store.append(new, lambda seq: _receipt(signer, new, seq))
        except ReplayConflict as exc:
            raise Problem(
                "replay",
                f"message id {message.jti!r} was already used by this sender for another message",
            ) from exc
        return Accepted(outcome, message)


def validate_payload(message_type: str, payload: bytes) -> BaseModel:
    """Parse the signed payload into its canonical model, or raise a Problem."""
    try:
        payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Problem("invalid-utf8", f"payload byte {exc.start} is not valid UTF-8") from exc
    try:
        return parse_message(message_type, payload)
    except ValidationError as exc:
        errors = exc.errors(include_input=False, include_url=False, include_context=False)
        if any(error["type"] == "json_invalid" for error in errors):
            raise Problem("invalid-json", "the payload is not a JSON document") from exc
        raise Problem(
            "schema-violation",
            f"the {message_type} payload violates the schema in {len(errors)} place(s)",
            extensions={"errors": [_field_error(error) for error in errors]},
        ) from exc


def _field_error(error: Any) -> dict[str, str]:
    pointer = "".join(f"/{part}" for part in error["loc"])
    # A validator message may quote its input; never echo an ID number back.
    return {"pointer": pointer, "detail": mask_ids_in_text(error["msg"]), "code": error["type"]}


def _new_message(
    message: VerifiedMessage, payload: BaseModel, kind: RecordKind, now: datetime
) -> NewMessage:
    county, reason, period = _index_attributes(payload)
    return NewMessage(
        kind=kind,
        message_type=message.typ,
        sender=message.sender,
        message_id=message.jti,
        kid=message.trusted.key.kid,
        sha256=message.digest,
        jws=message.raw,
        payload=message.payload,
        received_at=now,
        county=county,
        reason=reason,
        period=period,
    )


def _index_attributes(payload: BaseModel) -> tuple[str | None, str | None, str | None]:
    """Low-cardinality columns the ledger indexes: county, reason/method, month."""
    person = getattr(payload, "person", None)
    region = getattr(payload, "region", None) or getattr(person, "region", None)
    kind = getattr(payload, "reason", None) or getattr(payload, "method", None)
    period: str | None = getattr(payload, "period", None)
    if period is None:
        when: date | datetime | None = getattr(payload, "event_date", None) or getattr(
            payload, "occurred_at", None
        )
        if isinstance(when, datetime):
            when = when.astimezone(CHINA_STANDARD_TIME)
        period = when.strftime("%Y-%m") if when is not None else None
    county = getattr(region, "county", None)
    return county, (str(kind) if kind is not None else None), period


def _receipt(signer: ReceiptSigner, message: NewMessage, sequence: int) -> str:
    return signer.sign(
        message_id=message.message_id,
        sender=message.sender,
        digest=message.sha256,
        sequence=sequence,
        received_at=message.received_at,
        message_type=message.message_type,
    )
