"""One plan for a batch of the comparison's certifications, the per-person values filled in.

The planner (:func:`~certhub.hub.procedure.comparison.plan_comparison`) decides
for a comparison certification: may this key certify (its role), is the
evidence held, is there an uplink to push it to, does it count in the register
(passed), and the 免办 SMS. Every one of those decisions depends on the key
and on the event's method, channel, outcome, operator and evidence — which
:func:`~certhub.hub.comparison.certify.certification_event` makes the same for
every row — so it is the same decision for every record of a batch. What
differs per record are the person's values: the register entry, the notice
(masked name, id) and the uplink's delivery id and payload.

So the planner plans a batch's first and last record, and the others get the
same effects built by the planner's own functions from their own values
(:func:`register_entry`, :func:`exempt_notice`, :func:`uplink_delivery_id`).
Those built effects must equal the planner's for the first and the last
record, or the whole batch is planned record by record (a planner that
decides anything new is never bypassed with a stale shape). Planning each
record cost ≈ 100–170 µs (two role look-ups, the checks, merging effects);
filling in the values costs ≈ 10.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from certhub.hub.ingress.pipeline import Plan
from certhub.hub.procedure.register_entry import register_entry
from certhub.hub.procedure.tasks import notice_write
from certhub.hub.procedure.uplink import uplink_delivery_id
from certhub.hub.rules.comparison import exempt_notice
from certhub.hub.store.effects import NO_EFFECTS, ClosureRead, Effects, OutboxWrite
from certhub.schemas import CertificationEvent, Refusal
from certhub.security import VerifiedMessage

__all__ = ["Decided", "batch_shape", "plan_batch"]

Planned = Effects | Refusal
"""A record's effects, or why the planner refused it."""


@dataclass(frozen=True, slots=True)
class _Shape:
    """What the planner decided for a batch: the uplink's destination and operation, if any."""

    uplink: tuple[str, str] | None
    unclosed: bool = False  # planned on the person's benefit not closed (checked in the write)

    @classmethod
    def of(cls, effects: Effects) -> _Shape | None:
        """The shape of one planned record; None if it is not register entry, notice and an
        uplink at most, planned on no closure of the benefit or none read (then the batch
        is planned record by record)."""
        if effects.certified is None or len(effects.notices) != 1 or len(effects.outbox) > 1:
            return None
        read = effects.closure_read
        if read is not None and read.task_id is not None:
            return None
        unread = replace(effects, certified=None, notices=(), outbox=(), closure_read=None)
        if unread != NO_EFFECTS:
            return None
        up = effects.outbox[0] if effects.outbox else None
        return cls(None if up is None else (up.destination, up.operation), read is not None)

    def effects(self, message: VerifiedMessage, event: CertificationEvent) -> Effects:
        """This shape's effects for one record, from its own values."""
        uplink: tuple[OutboxWrite, ...] = ()
        if self.uplink is not None:
            delivery = uplink_delivery_id(message.sender, message.jti)
            uplink = (OutboxWrite(delivery, *self.uplink, message.payload),)
        notice = notice_write(exempt_notice(event, message.jti))
        closure = ClosureRead(event.person.id_number) if self.unclosed else None
        entry = register_entry(event)
        return Effects(outbox=uplink, notices=(notice,), certified=entry, closure_read=closure)


async def plan_batch(
    plan: Plan, messages: Sequence[VerifiedMessage], events: Sequence[CertificationEvent]
) -> list[Planned]:
    """Each record's effects (or refusal), in order (see the module's docstring)."""
    if not messages:
        return []
    ends = [0, len(messages) - 1] if len(messages) > 1 else [0]
    planned = {n: await _planned(plan, messages[n], events[n]) for n in ends}
    first = planned[0]
    shape = _Shape.of(first) if isinstance(first, Effects) else None
    if shape is None or any(shape.effects(messages[n], events[n]) != planned[n] for n in ends):
        return [
            planned[n] if n in planned else await _planned(plan, messages[n], events[n])
            for n in range(len(messages))
        ]
    middle = (shape.effects(m, e) for m, e in zip(messages[1:-1], events[1:-1], strict=True))
    return [first, *middle, planned[ends[-1]]] if len(ends) > 1 else [first]


@dataclass(frozen=True, slots=True)
class Decided:
    """The planner's effects for a batch's first and last record, and the uplink they share
    (destination, operation), if any."""

    uplink: tuple[str, str] | None
    planned: list[Effects]


async def batch_shape(
    plan: Plan, messages: Sequence[VerifiedMessage], events: Sequence[CertificationEvent]
) -> Decided | None:
    """What the planner decides for ``messages`` (a batch's first and last record); None
    when it refuses either, decides anything but a register entry, the notice and an uplink,
    or decides otherwise for the two (then every record is planned)."""
    planned: list[Effects] = []
    shapes: set[_Shape | None] = set()
    for message, event in zip(messages, events, strict=True):
        effects = await _planned(plan, message, event)
        if not isinstance(effects, Effects):
            return None
        planned.append(effects)
        shapes.add(_Shape.of(effects))
    if len(shapes) != 1 or (shape := shapes.pop()) is None:
        return None
    return Decided(shape.uplink, planned)


async def _planned(plan: Plan, message: VerifiedMessage, event: CertificationEvent) -> Planned:
    try:
        return await plan(message, event)
    except Refusal as exc:
        return exc
