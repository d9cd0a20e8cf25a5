"""A certification of a person whose death the hub confirmed: accepted, held, verified.

A counter or home-visit certification approved at two levels for a person the hub
terminated for death (the termination standing: not voided by its departments) is kept in
the ledger and the register — it may be a living person's proof against a false death
report — but it is not announced: the "certification passed" SMS and the push upward to
the ministry would tell the family and the national platform that a dead person is alive.
Instead the approval opens, for people, a verification of the death (a death task, or
joins the person's open one: :func:`held_effects`), whose remarks say why — the
certification, the death's task, the death and termination dates. Nothing is queued.
A self-service certification (final on arrival: app, kiosk, bank terminal; no SMS of its
own) is recorded and counted the same way, not pushed upward (:func:`held_on_arrival`).

* The county confirms it (the death upheld): the certification restores nothing and its
  SMS and uplink are never sent (:func:`upheld_remarks`).
* The death reversed — its departments withdrew what it rested on, the task cleared, the
  voided termination's restoration approved (the normal path, back pay included; an open
  task refuses it, ``restoration-verification-open``) — the held SMS and uplink are queued
  in the restoration's transaction (:func:`held_released`).

Decided here (a false "alive" sent upward, and an SMS to a dead person's number): before,
the approval queued both, and nothing asked whether the death was false.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

from certhub.hub.procedure.certified_restoration import certified_proposal
from certhub.hub.procedure.context import ProcedureContext
from certhub.hub.procedure.register_entry import register_entry
from certhub.hub.procedure.reversals import voided_task
from certhub.hub.procedure.task_series import termination_in_force
from certhub.hub.procedure.tasks import extend, notice_write, task_effects, task_record
from certhub.hub.procedure.uplink import uplink_delivery
from certhub.hub.rules.notices import certification_result_notice
from certhub.hub.rules.tasks import TaskRecord
from certhub.hub.store.base import Conflict, LedgerRecord
from certhub.hub.store.effects import AuditWrite, BenefitClosure, ClosureRead, Effects
from certhub.hub.store.person_guard import PersonGuard
from certhub.schemas import (
    CertificationEvent,
    CertificationOutcome,
    TaskKind,
    TaskStatus,
    Termination,
    VerificationTask,
)
from certhub.security import VerifiedMessage

__all__ = [
    "StandingDeath",
    "certification_approved",
    "death_read",
    "death_standing",
    "held_effects",
    "held_on_arrival",
    "held_released",
    "upheld_remarks",
]


HELD_PREFIX = "held."
"""A held self-service certification's source in its death task: ``held.<hash>`` (of the
sender and the message id, as its uplink's delivery id)."""


@dataclass(frozen=True, slots=True)
class StandingDeath:
    """The hub's termination for death of a person, standing: its task and the termination
    in force (an approved amendment's when the death was dated earlier)."""

    task_id: str
    termination: Termination


async def death_standing(ctx: ProcedureContext, person_id: str) -> StandingDeath | None:
    """The person's death the hub confirmed and that stands; None with no closure, one for
    another reason, or a termination voided (its restoration waits for a proof of life:
    the certification is announced as any other)."""
    found = await death_read(ctx, person_id)
    return found if isinstance(found, StandingDeath) else None


async def death_read(ctx: ProcedureContext, person_id: str) -> StandingDeath | ClosureRead:
    """:func:`death_standing`, or when none stands the closure it read, for an announced
    certification's write to check again: a death confirmed after this read and before the
    write refuses it (``conflict``), and planned again it is held."""
    closure = await ctx.store.closed_benefit(person_id)
    read = ClosureRead(person_id, None if closure is None else closure[1])
    if closure is None or closure[0] != TaskKind.death.value:
        return read
    if await voided_task(ctx, closure[1]) is not None:
        return read
    found = await termination_in_force(ctx, closure[1])
    return read if found is None else StandingDeath(closure[1], found[1])


def held_why(event: CertificationEvent, named: str, death: StandingDeath) -> str:
    """Why the death is verified again: the certification (``named``) and the death, with
    their dates."""
    return (
        f"{named} ({event.method.value}, {event.occurred_at:%Y-%m-%d}) of a "
        f"person whose death the hub confirmed (task {death.task_id}, died "
        f"{death.termination.event_date.isoformat()}, terminated from "
        f"{death.termination.effective_from.isoformat()}): verify the death; the "
        "certification's SMS and uplink are held — sent if the death is reversed and the "
        "benefit restored, never if it is upheld"
    )


async def certification_approved(
    ctx: ProcedureContext, effects: Effects, item_id: int, record: LedgerRecord
) -> Effects:
    """``effects`` of the county's approval of certification ``item_id`` (``record``): its
    register entry, and the SMS to the pensioner and the push upward — or, the person's
    death standing, neither: the death verified again (:func:`held_effects`)."""
    event = CertificationEvent.model_validate_json(record.payload)
    certified = register_entry(event, item_id)
    effects = replace(effects, certified=certified)
    death = None if certified is None else await death_read(ctx, event.person.id_number)
    if isinstance(death, ClosureRead):  # announced: a death confirmed meanwhile refuses it
        effects = replace(effects, closure_read=death)
    elif death is not None:  # a passed certification only: a failed attempt says no one alive
        guard = await _still_standing(ctx, event.person.id_number, death)
        effects = replace(effects, person_guard=effects.person_guard or guard)
        return extend(effects, **await held_effects(ctx, record, event, item_id, death))
    rate_at = ctx.rating_link(item_id) if ctx.rating_link else None
    notice = notice_write(certification_result_notice(event, item_id, rate_at))
    upward = uplink_delivery(ctx, record.sender, record.message_id, record.payload)
    effects = extend(effects, notices=(notice,), outbox=upward)
    # a suspension for non-certification it ends: its restoration proposed (one)
    certification = f"{record.sender}:{record.message_id}"
    return await certified_proposal(ctx, effects, event, certification, ctx.clock())


async def held_effects(
    ctx: ProcedureContext,
    record: LedgerRecord,
    event: CertificationEvent,
    item_id: int,
    death: StandingDeath,
) -> dict[str, tuple[object, ...]]:
    """The writes of approving certification ``item_id`` of a person whose ``death``
    stands: a death task opened (``task-<item>``) or the person's open one joined, saying
    why, and the audit link ``certification_held``; no notice, no uplink."""
    why = held_why(event, f"certification {item_id}", death)
    task, existing = await _held_task(ctx, event, str(item_id), why, death)
    held = AuditWrite("certification_held", f"{item_id}>{task.task_id}", "hub", record.sha256)
    return task_effects(ctx, task, existing) | {"audit": (held,)}


async def _held_task(
    ctx: ProcedureContext, event: CertificationEvent, source: str, why: str, death: StandingDeath
) -> tuple[VerificationTask, TaskRecord | None]:
    """The death task a held certification (``source``) opens (``task-<source>``), or the
    person's open one it joins, saying ``why``; with the open one's record. Opened where the
    termination names the person, whatever region the certification names: the office that
    confirmed the death clears it before the restoration it holds back is decided there."""
    existing = await task_record(ctx, event.person.id_number, TaskKind.death.value)
    if existing is None:
        region = death.termination.person.region
        task = VerificationTask(
            task_id=f"task-{source}",
            person=event.person.model_copy(update={"region": region}),
            kind=TaskKind.death,
            sources=(source,),
            evidence=event.evidence,
            opened_at=ctx.clock(),
            remarks=why,
        )
        return task, None
    current = existing.task
    sources = current.sources if source in current.sources else (*current.sources, source)
    remarks = why if current.remarks is None else f"{current.remarks}; {why}"
    joined = current.model_dump() | {"sources": sources, "remarks": remarks[-1000:]}
    return VerificationTask.model_validate(joined), existing


async def held_on_arrival(
    ctx: ProcedureContext, message: VerifiedMessage, event: CertificationEvent, effects: Effects
) -> Effects | ClosureRead | None:
    """``effects`` of a self-service certification (final on arrival: app, kiosk, bank
    terminal) that passed, of a person whose death stands: nothing upward, a death task
    opened (``task-held.<hash of sender and message id>``) or the open one joined, saying
    why, and the audit link ``certification_held``; when the death does not stand, the
    closure read (:func:`death_read`: the announced certification's write checks it); None
    when the attempt failed. Its uplink is queued by :func:`held_released` if the death is
    reversed; it has no SMS of its own."""
    if event.outcome is not CertificationOutcome.certified:
        return None
    death = await death_read(ctx, event.person.id_number)
    if isinstance(death, ClosureRead):
        return death
    guard = await _still_standing(ctx, event.person.id_number, death)
    key = hashlib.sha256(f"{message.sender}\0{message.jti}".encode()).hexdigest()[:40]
    source = f"{HELD_PREFIX}{key}"
    why = held_why(event, f"certification {message.sender}:{message.jti}", death)
    task, existing = await _held_task(ctx, event, source, why, death)
    held = AuditWrite("certification_held", f"{source}>{task.task_id}", "hub", message.digest)
    guarded = replace(effects, person_guard=effects.person_guard or guard)
    return extend(guarded, **task_effects(ctx, task, existing), audit=(held,))


async def _still_standing(
    ctx: ProcedureContext, person_id: str, death: StandingDeath
) -> PersonGuard:
    """What the ledger holds of the person, read before the held task's reads, for the write
    to check again (:class:`~certhub.hub.store.person_guard.PersonGuard`): a restoration
    committing meanwhile lifts the closure the hold rests on (the death reversed; it found
    this certification not yet recorded, or not approved, so announced nothing of it), and
    the hold would open a death task for a pensioner just restored and never announce the
    certification. Read after the death's standing: it must name the same closure, else
    that changed already (``conflict``: decided again, on what committed)."""
    guard = await ctx.store.person_guard(person_id)
    if guard.closed != death.task_id:
        raise Conflict("conflict", "the person's benefit changed meanwhile; retry")
    return guard


async def held_items(ctx: ProcedureContext, task: VerificationTask) -> list[int]:
    """The certifications ``task`` holds: its sources that are certification records."""
    items = []
    for source in task.sources:
        record = await ctx.store.get_record(int(source)) if source.isdigit() else None
        if record is not None and record.message_type == CertificationEvent.MESSAGE_TYPE:
            items.append(record.sequence)
    return items


async def upheld_remarks(ctx: ProcedureContext, task: VerificationTask, closed: str) -> str:
    """The remarks of ``task`` confirmed while the benefit is closed (``closed``: what closed
    it): the death upheld, the certifications it held restore nothing, never announced."""
    remarks = f"benefit already terminated ({closed})"
    held = [str(item) for item in await held_items(ctx, task)]
    held += [source for source in task.sources if source.startswith(HELD_PREFIX)]
    if not held:
        return remarks
    named = ", ".join(held)
    return (
        f"{remarks}: the death upheld; certification {named} restores nothing, its SMS and "
        "uplink never sent"
    )


async def held_released(ctx: ProcedureContext, effects: Effects, lifted: BenefitClosure) -> Effects:
    """``effects`` of the restoration lifting closure ``lifted`` (the death reversed) with
    the certifications held while it stood announced: each approved after the termination
    was signed whose SMS was never queued, unless a death task confirmed upheld the death
    over it (restores nothing), gets its SMS and uplink queued as its approval would have
    (the same ids: queued once; an open task refuses the restoration itself)."""
    person = lifted.person_id
    signed = await ctx.store.find(ctx.outcomes.hub_id, f"termination:{lifted.task_id}")
    if signed is None:
        return effects
    # held by a task of the person's, whenever filed (a visit filed before the termination
    # was signed and approved after it was held all the same: certification_approved);
    # held for good by a confirmed one (the death upheld over it)
    held: set[int] = set()
    upheld: set[int] = set()
    for stored in await ctx.store.tasks_of([person]):
        task = VerificationTask.model_validate_json(stored.snapshot)
        items = await held_items(ctx, task)
        held.update(items)
        if task.status is TaskStatus.confirmed:
            upheld.update(items)
    for certified in await ctx.store.register_certifications(person):
        item = certified.sequence
        if (item < signed.sequence and item not in held) or item in upheld:
            continue  # before the death and never held (announced then), or held for good
        row = await ctx.store.get_item(item)
        if row is None:  # final on arrival (self-service): its uplink alone, if held
            effects = await _uplink_released(ctx, effects, item)
            continue
        if row.kind != "certification" or row.status != "approved":
            continue
        if await ctx.store.get_outbox(f"certification:{item}") is not None:
            continue  # announced: approved while the termination was voided
        record = await ctx.item_record(item)
        event = CertificationEvent.model_validate_json(record.payload)
        rate_at = ctx.rating_link(item) if ctx.rating_link else None
        notice = notice_write(certification_result_notice(event, item, rate_at))
        upward = uplink_delivery(ctx, record.sender, record.message_id, record.payload)
        released = AuditWrite("certification_released", str(item), "hub", record.sha256)
        effects = extend(effects, notices=(notice,), outbox=upward, audit=(released,))
    return effects


async def _uplink_released(ctx: ProcedureContext, effects: Effects, sequence: int) -> Effects:
    """``effects`` with the uplink of self-service certification ``sequence`` queued if it
    was held (none queued for it, one due: :func:`held_on_arrival`)."""
    record = await ctx.store.get_record(sequence)
    if record is None:
        return effects
    upward = uplink_delivery(ctx, record.sender, record.message_id, record.payload)
    if not upward or await ctx.store.get_outbox(upward[0].delivery_id) is not None:
        return effects  # none due (no uplink, or from it), or queued on arrival
    released = AuditWrite("certification_released", str(sequence), "hub", record.sha256)
    return extend(effects, outbox=upward, audit=(released,))
