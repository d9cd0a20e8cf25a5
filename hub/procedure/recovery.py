"""Planners for recovering overpayments: sums recorded, write-offs asked for and decided.

Each plan reads the task's overpayment balance, applies the pure rules of
:mod:`certhub.hub.rules.recovery`, and says what changes: the balance (guarded
by the total it expects, so concurrent recoveries cannot both fit), the sum
recorded, and the task's overpayment records re-signed by the hub with what
was recovered — the feedback the provincial system pulls (逐级反馈).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from certhub.hub.procedure.context import ProcedureContext, signer_of
from certhub.hub.procedure.cuts import cuts_of, numbered_cut
from certhub.hub.rules.decisions import ItemKind, ItemStatus, authenticated_actor
from certhub.hub.rules.disposal import Disposal
from certhub.hub.rules.recovery import (
    OverpaymentState,
    allocate,
    approve_write_off,
    cents,
    record_recovery,
    request_write_off,
    status_for,
    yuan,
)
from certhub.hub.rules.release_refund import Balance, Released
from certhub.hub.store.base import LedgerRecord, OverpaymentRow
from certhub.hub.store.effects import AuditWrite, Effects, HubRecord, ItemOpen
from certhub.hub.store.overpayment_effects import OverpaymentChange, RecoveryWrite
from certhub.schemas import (
    Overpayment,
    OverpaymentRecovery,
    RecoveryStatus,
    Refusal,
    VerificationTask,
    WriteOffRequest,
)
from certhub.security import VerifiedMessage

WRITE_OFF_ITEM = ItemKind.WRITE_OFF.value

CutRule = Callable[..., Released | None]
"""A rule cutting months off a balance: (records in force, day, balance, *, note) -> what
changes, or None."""


async def plan_recovery(
    ctx: ProcedureContext, task_id: str, message: VerifiedMessage, recovery: OverpaymentRecovery
) -> Effects:
    """Record one sum recovered against the overpayment of ``task_id``."""
    _same_task(recovery.task_id, task_id)
    role = authenticated_actor(recovery.actor, signer_of(message))
    originals = await _originals(ctx, task_id)
    before = await _state(ctx, task_id, originals)
    after = record_recovery(before, recovery, role)
    note = (
        f"recovered {recovery.amount} ({recovery.source.value}) on {recovery.recovered_on}; "
        f"{yuan(after.remaining_cents)} remains"
    )
    return Effects(
        recovery=RecoveryWrite(
            task_id,
            cents(recovery.amount),
            recovery.source.value,
            recovery.recovered_on.isoformat(),
            recovery.reference,
        ),
        overpayment_change=OverpaymentChange(
            task_id,
            "recovered",
            before.recovered_cents,
            after.recovered_cents,
            after.status.value,
            expected_amount_cents=before.amount_cents,  # grown or cut meanwhile: refused
        ),
        outcomes=_feedback(
            ctx,
            originals,
            before,
            after,
            step=f"r{after.recovered_cents}",
            note=note,
            reason=await _task_kind(ctx, task_id),
        ),
        audit=(AuditWrite("overpayment_recovered", task_id, message.sender, message.digest),),
    )


async def plan_write_off_request(
    ctx: ProcedureContext, task_id: str, message: VerifiedMessage, request: WriteOffRequest
) -> Effects:
    """Open a write-off of what remains of ``task_id``'s overpayment for two-level review."""
    _same_task(request.task_id, task_id)
    role = authenticated_actor(request.actor, signer_of(message))
    state = request_write_off(await _state(ctx, task_id), request, role)
    return Effects(
        item=ItemOpen(WRITE_OFF_ITEM),
        overpayment_change=OverpaymentChange(
            task_id,
            "write_off_requested",
            state.recovered_cents,
            state.recovered_cents,
            state.status.value,
        ),
    )


async def write_off_decided(
    ctx: ProcedureContext, item_id: int, status: ItemStatus, approver: str
) -> Effects:
    """What a decision on write-off ``item_id`` changes (nothing while only accepted).

    The person who asked for the write-off takes no decision on it: neither accepts
    nor approves nor rejects (separation of duties, with money at stake).
    """
    record = await ctx.item_record(item_id)
    request = WriteOffRequest.model_validate_json(record.payload)
    if approver == request.actor.id:
        raise Refusal(
            "same-actor", f"{approver!r} asked for write-off {item_id} and may not decide it"
        )
    if status not in (ItemStatus.APPROVED, ItemStatus.REJECTED):
        return Effects()
    task_id = request.task_id
    originals = await _originals(ctx, task_id)
    before = await _state(ctx, task_id, originals)
    if status is ItemStatus.REJECTED:
        change = OverpaymentChange(
            task_id,
            "write_off_rejected",
            before.recovered_cents,
            before.recovered_cents,
            before.status.value,
            item_id,
        )
        return Effects(overpayment_change=change)
    after = approve_write_off(before, request, item_id, approver)
    note = f"{request.amount} written off (request {item_id}): {request.reason}"
    change = OverpaymentChange(
        task_id,
        "write_off_approved",
        before.recovered_cents,
        before.recovered_cents,
        RecoveryStatus.written_off.value,
        item_id,
        expected_amount_cents=before.amount_cents,  # grown meanwhile: months nobody approved
    )
    return Effects(
        overpayment_change=change,
        outcomes=_feedback(
            ctx,
            originals,
            before,
            after,
            step="written-off",
            note=note,
            reason=await _task_kind(ctx, task_id),
        ),
    )


async def overpayment_voided(ctx: ProcedureContext, task_id: str, note: str) -> tuple[Effects, int]:
    """``task_id``'s overpayment voided with its termination; and the cents to refund.

    The pensioner was alive: recovery stops (a write-off under review goes stale), and
    each overpayment record is re-signed ``voided`` (``<original>:voided``) keeping its
    ``recovered_amount`` — the sum taken from a living person, returned to them. Not a
    write-off: nothing was lost. A task without an overpayment, or one voided already,
    changes nothing.
    """
    row = await ctx.store.get_overpayment(task_id)
    originals = await _originals(ctx, task_id)
    if row is None or not originals or row.status == RecoveryStatus.voided.value:
        return Effects(), 0
    shares = allocate([cents(over.amount) for _, over in originals], row.recovered_cents)
    reason = await _task_kind(ctx, task_id)
    voided = RecoveryStatus.voided
    records = tuple(
        _resigned(ctx, original, share, voided, step="voided", note=note, reason=reason)
        for original, share in zip(originals, shares, strict=True)
    )
    change = OverpaymentChange(
        task_id, "voided", row.recovered_cents, row.recovered_cents, voided.value
    )
    return Effects(overpayment_change=change, outcomes=records), row.recovered_cents


async def _task_kind(ctx: ProcedureContext, task_id: str) -> str | None:
    row = await ctx.store.get_task(task_id)
    return None if row is None else VerificationTask.model_validate_json(row.snapshot).kind.value


def _same_task(named: str, path: str) -> None:
    if named != path:
        raise Refusal("subject-mismatch", f"the message names task {named!r}, not {path!r}")


async def records_in_force(ctx: ProcedureContext, task_id: str) -> list[tuple[str, Overpayment]]:
    """(message id, record) of each overpayment record of ``task_id`` as in force, in order."""
    return [(record.message_id, over) for record, over in await _originals(ctx, task_id)]


async def balance_cut(
    ctx: ProcedureContext, row: OverpaymentRow, rule: CutRule, day: date, note: str
) -> Released | None:
    """What ``rule`` (:func:`~certhub.hub.rules.release_refund.released`,
    :func:`~certhub.hub.rules.amendment_undone.moved_back`) cuts on ``day`` off the overpayment
    ``row`` and its records in force; None when nothing."""
    balance = Balance(row.months, row.amount_cents, row.recovered_cents, RecoveryStatus(row.status))
    cut = rule(await records_in_force(ctx, row.task_id), day, balance, note=note)
    return None if cut is None else await numbered_cut(ctx, cut)  # a record cut again: :2…


async def months_in_force(ctx: ProcedureContext, task_id: str) -> frozenset[str]:
    """The months (``YYYY-MM``) the overpayment records of ``task_id`` in force count."""
    records = await records_in_force(ctx, task_id)
    return frozenset(Disposal(overpayments=tuple(o for _, o in records)).recovered_months)


async def _originals(ctx: ProcedureContext, task_id: str) -> list[tuple[LedgerRecord, Overpayment]]:
    """The overpayment records the hub signed for ``task_id``, in the order they were made,
    each as the last stated release or death moved back left it
    (:mod:`~certhub.hub.procedure.cuts`): its months kept (``<id>:released``,
    ``<id>:released:2``…) in its place, or left out when every month was cut. A balance
    voided and opened again (:func:`~certhub.hub.procedure.task_series.balance_grown`)
    counts only the records signed since: those voided (``<id>:voided``) before a later
    record was signed are left out."""
    found: list[tuple[LedgerRecord, Overpayment, int | None]] = []
    hub = ctx.outcomes.hub_id
    number = 0
    while True:
        number += 1
        suffix = "" if number == 1 else f":{number}"
        record = await ctx.store.find(hub, f"overpayment:{task_id}{suffix}")
        if record is None:
            break
        cuts = await cuts_of(ctx, record.message_id)  # its last cut's months kept in force
        voided = await ctx.store.find(hub, f"{record.message_id}:voided")
        at = voided.sequence if voided is not None else None
        in_force = cuts[-1][0] if cuts else record  # None: every month was cut
        if in_force is not None:
            found.append((record, Overpayment.model_validate_json(in_force.payload), at))
    start = 0  # the first record signed after every one before it was voided: opened again
    for n, (record, _, _) in enumerate(found):
        if n and all(at is not None and at < record.sequence for *_, at in found[:n]):
            start = n
    return [(record, over) for record, over, _ in found[start:]]


async def _state(
    ctx: ProcedureContext,
    task_id: str,
    originals: list[tuple[LedgerRecord, Overpayment]] | None = None,
) -> OverpaymentState:
    row = await ctx.store.get_overpayment(task_id)
    originals = originals if originals is not None else await _originals(ctx, task_id)
    if row is None or not originals:
        raise Refusal("overpayment-not-found", f"task {task_id!r} has no overpayment to recover")
    first: date = min(over.period_from for _, over in originals)
    return OverpaymentState(
        task_id,
        row.amount_cents,
        row.recovered_cents,
        RecoveryStatus(row.status),
        first,
        row.write_off_item,
    )


def _feedback(
    ctx: ProcedureContext,
    originals: list[tuple[LedgerRecord, Overpayment]],
    before: OverpaymentState,
    after: OverpaymentState,
    *,
    step: str,
    note: str,
    reason: str | None,
) -> tuple[HubRecord, ...]:
    """Each overpayment record whose recovery changed, re-signed by the hub.

    ``reason`` is the task's kind, the column the statistics group by.
    """
    amounts = [cents(over.amount) for _, over in originals]
    old = allocate(amounts, before.recovered_cents)
    new = allocate(amounts, after.recovered_cents)
    written_off = after.status is RecoveryStatus.written_off
    records: list[HubRecord] = []
    for original, was, now, amount in zip(originals, old, new, amounts, strict=True):
        status = status_for(amount, now)
        if written_off and status is not RecoveryStatus.recovered:
            status = RecoveryStatus.written_off
        if now == was and status is status_for(amount, was):
            continue
        records.append(_resigned(ctx, original, now, status, step=step, note=note, reason=reason))
    return tuple(records)


def _resigned(
    ctx: ProcedureContext,
    original: tuple[LedgerRecord, Overpayment],
    recovered_cents: int,
    status: RecoveryStatus,
    *,
    step: str,
    note: str,
    reason: str | None,
) -> HubRecord:
    """The overpayment record ``original`` re-signed by the hub as ``<its id>:<step>``, with
    ``recovered_cents`` recovered of it, in recovery ``status``; ``reason`` is the task's kind."""
    record, over = original
    updated = over.model_copy(
        update={
            "recovered_amount": yuan(recovered_cents),
            "recovery_status": status,
            "remarks": note[:1000],
        }
    )
    return ctx.outcomes.record(
        Overpayment.model_validate(updated.model_dump()),
        message_id=f"{record.message_id}:{step}",
        person=over.person,
        reason=reason,
        at=ctx.clock(),
    )
