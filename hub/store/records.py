"""A message about to enter the ledger, and the collections records belong to."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    from certhub.security import ReceiptDraft, ReceiptSigner


class RecordKind(StrEnum):
    """Which collection (and provincial pull) a ledger record belongs to."""

    REPORT = "report"
    CERTIFICATION = "certification"
    DECISION = "decision"
    RESTORATION = "restoration"
    TASK_TRANSITION = "task_transition"
    ROSTER = "roster"
    OUTCOME = "outcome"  # signed by the hub itself: task states, terminations, …
    RECOVERY = "recovery"  # sums recovered against overpayments, write-off requests
    RATING = "rating"  # service evaluations from channel apps and their follow-ups
    BIOMETRIC = "biometric"  # biometric enrolment status from the channels (never templates)


@dataclass(frozen=True, slots=True)
class SignedMessage:
    """What the ledger keeps of every message: the signed bytes and who sent them when.

    ``jws`` is the exact byte string received; ``payload`` the exact signed
    payload bytes, so a record can be re-verified by anyone later.
    """

    kind: RecordKind
    message_type: str
    sender: str
    message_id: str
    kid: str
    sha256: str
    jws: bytes
    payload: bytes
    received_at: datetime


@dataclass(frozen=True, slots=True)
class NewMessage(SignedMessage):
    """A verified, validated message about to be appended to the ledger.

    Besides the signed message, the columns the ledger indexes it by (region,
    reason, period, person, channel, outcome), taken from its payload.
    """

    county: str | None = None
    reason: str | None = None
    period: str | None = None
    village: str | None = None
    person_id: str | None = None
    channel: str | None = None
    outcome: str | None = None


def draft_receipt(signer: ReceiptSigner, message: SignedMessage) -> ReceiptDraft:
    """The receipt of ``message``, drafted from its own signed fields; the ledger gives it
    its sequence when the message commits."""
    return signer.draft(
        message_id=message.message_id,
        sender=message.sender,
        digest=message.sha256,
        received_at=message.received_at,
        message_type=message.message_type,
    )


_SHARED: dict[tuple[type, type], tuple[str, ...]] = {}  # (source, target) -> names, per process


def carried_over(source: DataclassInstance, target: type[DataclassInstance]) -> dict[str, Any]:
    """The fields of the dataclass ``source`` that the dataclass ``target`` also has, by name.

    A message becomes a ledger row and then a record with the same signed
    fields; naming them once here keeps the three shapes from drifting apart.
    """
    key = (type(source), target)
    names = _SHARED.get(key)
    if names is None:
        wanted = {field.name for field in fields(target)}
        names = _SHARED[key] = tuple(f.name for f in fields(type(source)) if f.name in wanted)
    return {name: getattr(source, name) for name in names}
