"""A message about to enter the ledger, and the collections records belong to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class RecordKind(StrEnum):
    """Which collection (and provincial pull) a ledger record belongs to."""

    REPORT = "report"
    CERTIFICATION = "certification"
    DECISION = "decision"
    RESTORATION = "restoration"
    TASK_TRANSITION = "task_transition"
    ROSTER = "roster"
    OUTCOME = "outcome"  # signed by the hub itself: task states, terminations, …


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A verified, validated message about to be appended to the ledger.

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
    county: str | None = None
    reason: str | None = None
    period: str | None = None
    village: str | None = None
    person_id: str | None = None
    channel: str | None = None
    outcome: str | None = None
