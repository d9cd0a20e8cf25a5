"""Guangdong's certifications go upward to the ministry, through the outbox.

A self-service certification is final when it is recorded; an assisted one
when it is approved. Either way the ministry gets it once, under a delivery
id derived from the sender's message id (stable, and within the ministry's
``Idempotency-Key`` alphabet). Events the ministry itself gave us (pulled
through ``adapter:ministry``) are never sent back.
"""

from __future__ import annotations

import hashlib

from hub.procedure.context import ProcedureContext
from hub.store.effects import OutboxWrite

MINISTRY_SENDER = "adapter:ministry"


def uplink_delivery(
    ctx: ProcedureContext, sender: str, message_id: str, payload: bytes
) -> tuple[OutboxWrite, ...]:
    """The outbox row pushing this certification upward, or none (no uplink, or from there)."""
    if not ctx.uplink or sender == MINISTRY_SENDER:
        return ()
    key = hashlib.sha256(f"{sender}\0{message_id}".encode()).hexdigest()[:40]
    return (OutboxWrite(f"uplink:{key}", "ministry", "push_certification", payload),)
