"""A staff key confined to an area decides only inside it.

A key's area confines what it reads (README, "Coordinators' enrolment and area
scopes") and, through :func:`~certhub.hub.ingress.pipeline.check_sender_area`,
whom its messages speak for. Decisions and task steps name an item or a task,
not a place, so that check never saw them: a town's key could accept, and a
county's approve, a death report two counties away, or confirm the death, and
stop a pension it may not even read. Here they are refused as an item or task
that does not exist (the same slug and words), as a read outside the area is.

The place of an item is that of its ledger record, as the reads take it: a
report's filing region, anything else's person's region, and a write-off's the
region of the task it writes off; an item with none is decided only by keys
with no area. A sum recovered or a write-off asked on a task's overpayment is
taken only from a key that may read that overpayment (its county: a village or
town key reads none, ``GET /v1/overpayments/{task_id}``).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from certhub.hub.procedure.context import ProcedureContext
from certhub.hub.procedure.review import plan_decision, plan_transition
from certhub.hub.rules.decisions import ItemKind
from certhub.hub.store.effects import Effects
from certhub.schemas import Decision, Refusal, TaskTransition
from certhub.security import VerifiedMessage, in_area

__all__ = ["confined_decision", "confined_on_overpayment", "confined_transition"]

Payload = TypeVar("Payload")

_REGIONED = ("eligibility_report/v1", "zero_report/v1")
"""Records whose place is the region that filed them (not their person's)."""


async def confined_decision(
    ctx: ProcedureContext,
    kind: ItemKind,
    item_id: int,
    message: VerifiedMessage,
    decision: Decision,
) -> Effects:
    """:func:`~certhub.hub.procedure.review.plan_decision`, for an item inside the signing
    key's area only (``item-not-found`` otherwise, word for word)."""
    area = message.trusted.area
    if area is not None:
        row = await ctx.store.get_item(item_id)
        if row is not None and row.kind == kind:  # anything else: plan_decision refuses it
            record = await ctx.item_record(item_id)
            region = await _region(ctx, record.message_type, json.loads(record.payload))
            if not in_area(area, *region):
                raise Refusal("item-not-found", f"no {kind} under review has id {item_id}")
    return await plan_decision(ctx, kind, item_id, message, decision)


async def confined_transition(
    ctx: ProcedureContext, task_id: str, message: VerifiedMessage, step: TaskTransition
) -> Effects:
    """:func:`~certhub.hub.procedure.review.plan_transition`, for a task of a person inside
    the signing key's area only (``task-not-found`` otherwise, word for word)."""
    area = message.trusted.area
    if area is not None and not in_area(area, *await _task_region(ctx, task_id)):
        raise Refusal("task-not-found", f"no verification task {task_id!r}")
    return await plan_transition(ctx, task_id, message, step)


async def _region(
    ctx: ProcedureContext, message_type: str, payload: dict[str, Any]
) -> tuple[str | None, str | None]:
    """(county, village) of a record under review, as the reads place it."""
    if message_type in _REGIONED:
        return _county_village(payload.get("region"))
    person = payload.get("person")
    if isinstance(person, dict):
        return _county_village(person.get("region"))
    task_id = payload.get("task_id")  # a write-off: the place of the task it writes off
    return await _task_region(ctx, task_id) if isinstance(task_id, str) else (None, None)


async def _task_region(ctx: ProcedureContext, task_id: str) -> tuple[str | None, str | None]:
    row = await ctx.store.get_task(task_id)
    if row is None:
        return None, None
    snapshot = json.loads(row.snapshot)
    return _county_village(snapshot.get("person", {}).get("region"))


def _county_village(region: object) -> tuple[str | None, str | None]:
    if not isinstance(region, dict):
        return None, None
    return region.get("county"), region.get("village")


async def confined_on_overpayment(
    plan: Callable[[ProcedureContext, str, VerifiedMessage, Payload], Awaitable[Effects]],
    ctx: ProcedureContext,
    task_id: str,
    message: VerifiedMessage,
    payload: Payload,
) -> Effects:
    """``plan`` (a recovery or a write-off request on ``task_id``'s overpayment), for a key
    that may read that overpayment only (``overpayment-not-found`` otherwise, word for word).
    """
    area = message.trusted.area
    if area is not None and not in_area(area, (await _task_region(ctx, task_id))[0], None):
        raise Refusal("overpayment-not-found", f"task {task_id!r} has no overpayment to recover")
    return await plan(ctx, task_id, message, payload)
