"""Guangdong's certifications go upward to the ministry, through the outbox.

A self-service certification is final when it is recorded; an assisted one
when it is approved. Either way the ministry gets it once, under a delivery
id derived from the sender's message id (stable, and within the ministry's
``Idempotency-Key`` alphabet). Events the uplink department itself gave
us (pulled and signed as ``adapter:<its name>``, e.g. ``adapter:ministry``)
are never sent back.
"""

from __future__ import annotations

import hashlib

from certhub.hub.procedure.context import ProcedureContext
from certhub.hub.store.effects import OutboxWrite


def uplink_delivery(
    ctx: ProcedureContext, sender: str, message_id: str, payload: bytes
) -> tuple[OutboxWrite, ...]:
    """The outbox row pushing this certification upward, or none (no uplink, or from there).

    ``"ministry"`` is the uplink role's destination (``certhub.hub.delivery.destinations.UPLINK``),
    a stored name: whichever adapter plays the role is called.
    """
    if ctx.uplink_sender is None or sender == ctx.uplink_sender:
        return ()
    return (
        OutboxWrite(
            uplink_delivery_id(sender, message_id), "ministry", "push_certification", payload
        ),
    )


def uplink_delivery_id(sender: str, message_id: str) -> str:
    """The delivery id of the certification ``message_id`` of ``sender`` going upward."""
    key = hashlib.sha256(f"{sender}\0{message_id}".encode()).hexdigest()[:40]
    return f"uplink:{key}"
