"""A confirmed death dated earlier by a later record: the amendment opened, and decided.

A record about a person whose benefit the hub terminated for death — a
department's direct evidence through the comparison
(:mod:`~certhub.hub.procedure.comparison`), or a local report approved
(:mod:`~certhub.hub.procedure.review`) — that dates the death in an earlier month
than the termination in force is not linked to the closed history in silence: the
hub signs a ``termination_amendment/v1`` and opens it as an item under review
(:func:`amendment_for`), decided at
``POST /v1/termination-amendments/{item}/decisions`` like every item: town staff
accept, the county approves or rejects, each decision signed. One is open per
person at a time (:func:`~certhub.hub.rules.amendment.record_action`); their message
ids ``termination-amendment:<task>:<n>`` number them, so two opened at once cannot
both be stored.

Only the approval (:func:`amendment_approved`) changes anything: the hub signs the
task's termination again with the earlier date (``termination:<task>:2``, ``:3``…;
the last is in force), the months it makes overpaid as further overpayment records
of the task (``overpayment:<task>``, then ``:2``… after those signed before), claims
those months as recovered in the ledger (keyed by person and month: never twice),
and adds them to the task's overpayment balance (opened if there was none; opened
again, from nothing recovered, if a death moved back voided it whole — what it had
recovered was refunded). A rejection stores only the decision.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from functools import partial

from certhub.hub.procedure.context import ProcedureContext
from certhub.hub.procedure.task_series import (
    numbered,
    overpayments_added,
    series,
    termination_in_force,
)
from certhub.hub.procedure.tasks import extend, task_effects
from certhub.hub.procedure.voids import last_cited, task_citations, withdrawn_after
from certhub.hub.rules.amendment import RecordAction, amend, record_action
from certhub.hub.rules.comparison import (
    MACHINE_REPORTER,
    SourceRecord,
    cited,
    opens_alone,
)
from certhub.hub.rules.decisions import UNDER_REVIEW, ItemKind
from certhub.hub.rules.tasks import TaskRecord
from certhub.hub.store.effects import (
    AuditWrite,
    Effects,
    HubRecord,
    ItemOpen,
)
from certhub.schemas import (
    AmendmentRecord,
    BenefitRecord,
    Decision,
    EligibilityReport,
    RecoveryStatus,
    Refusal,
    TaskKind,
    TerminationAmendment,
    VerificationTask,
)

__all__ = [
    "amendment_approved",
    "amendment_for",
    "amendment_message_id",
    "open_amendment_cites",
    "opened_by",
]

_NAMED = {"report": "report item", "machine_report": MACHINE_REPORTER}
"""How ``source`` words the record, as amendments always have."""


def amendment_message_id(task_id: str, number: int) -> str:
    """The ``number``-th amendment (from 1) of the termination by ``task_id``."""
    return f"termination-amendment:{task_id}:{number}"


async def amendment_for(
    ctx: ProcedureContext,
    person_id: str,
    reason: str,
    reported: date,
    *,
    source: AmendmentRecord,
    at: datetime,
) -> HubRecord | None:
    """The amendment a record about ``person_id`` (closed benefit) opens, as an item under
    review; None when it is linked to the closed history (the roster's closure, not a
    death, not an earlier month, or no earlier than the amendment already open).

    Raises:
        Refusal: ``conflict`` — an amendment is open and the record dates the death
            earlier still (:func:`~certhub.hub.rules.amendment.record_action`).
    """
    closed = await ctx.store.closed_benefit(person_id)
    found = await termination_in_force(ctx, closed[1]) if closed is not None else None
    if closed is None or found is None:
        return None
    task_id, (_, in_force) = closed[1], found
    opened = await series(ctx, partial(amendment_message_id, task_id))
    open_date = None
    if opened:
        item = await ctx.store.get_item(opened[-1].sequence)
        if item is not None and item.status in UNDER_REVIEW:
            last = TerminationAmendment.model_validate_json(opened[-1].payload)
            open_date = last.amended_event_date
    if record_action(in_force, reason, reported, open_date) is RecordAction.LINK:
        return None
    amendment = TerminationAmendment(
        person=in_force.person,
        task_id=task_id,
        reason=TaskKind.death,
        event_date=in_force.event_date,
        amended_event_date=reported,
        source=f"{_NAMED[source.kind]} {source.id} ({reported.isoformat()})",
        rests_on=source,
        proposed_at=at,
        remarks="a later record dates the confirmed death in an earlier month",
    )
    record = ctx.outcomes.record(
        amendment,
        message_id=amendment_message_id(task_id, len(opened) + 1),
        person=in_force.person,
        reason=TaskKind.death.value,
        at=at,
    )
    return replace(record, item=ItemOpen(ItemKind.TERMINATION_AMENDMENT.value))


async def opened_by(ctx: ProcedureContext, person_id: str, record: AmendmentRecord) -> bool:
    """Whether ``record`` opened the last amendment of the termination closing ``person_id``'s
    benefit — read just after it was recorded: a record about a closed benefit that opened
    none was linked to the closed history."""
    closed = await ctx.store.closed_benefit(person_id)
    opened = await series(ctx, partial(amendment_message_id, closed[1])) if closed else []
    return bool(opened) and (
        TerminationAmendment.model_validate_json(opened[-1].payload).rests_on == record
    )


async def _machine_records(
    ctx: ProcedureContext, amendment: TerminationAmendment
) -> tuple[SourceRecord, ...]:
    """The department records the comparison's report behind ``amendment`` cited (none for
    a person's report)."""
    source = amendment.rests_on
    if source is None or source.kind != "machine_report":
        return ()
    record = await ctx.store.find(MACHINE_REPORTER, source.id)
    if record is None:
        return ()
    return cited(EligibilityReport.model_validate_json(record.payload).remarks)


async def open_amendment_cites(
    ctx: ProcedureContext, task_id: str, voided: tuple[str, str]
) -> bool:
    """Whether the amendment of ``task_id``'s termination under review rests on the
    comparison's report of the record ``voided`` (department, record id) withdraws."""
    opened = await series(ctx, partial(amendment_message_id, task_id))
    if not opened:
        return False
    item = await ctx.store.get_item(opened[-1].sequence)
    if item is None or item.status not in UNDER_REVIEW:
        return False
    amendment = TerminationAmendment.model_validate_json(opened[-1].payload)
    return any(
        (s.department, s.record_id) == voided for s in await _machine_records(ctx, amendment)
    )


async def _check_standing(ctx: ProcedureContext, amendment: TerminationAmendment) -> None:
    """Refuse approving ``amendment`` when its departments withdrew the records it rests on.

    Decided here (rule 7, money safety): the approval recovers the months between the two
    dates from the family; on a record withdrawn (what remains of the comparison's report no
    longer passes the grade rule) nothing shows the person died then, and the months were
    owed. The void is in the ledger since the comparison stores a void of an open
    amendment's record (:mod:`~certhub.hub.procedure.comparison`).
    """
    records = await _machine_records(ctx, amendment)
    source = amendment.rests_on.id if amendment.rests_on is not None else ""
    # the same record (the same date) sent again since and joined to the termination stands
    again = {
        report: tuple(r for r in cited_records if r in records)
        for report, cited_records in (await task_citations(ctx, amendment.task_id)).items()
    }
    gone = await withdrawn_after(ctx, await last_cited(ctx, {**again, source: records}))
    withdrawn = [s for s in records if (s.department, s.record_id) in gone]
    if withdrawn and not opens_alone(s for s in records if s not in withdrawn):
        names = ", ".join(f"{s.department}:{s.record_id}" for s in withdrawn)
        raise Refusal(
            "conflict",
            f"the record this amendment rests on was withdrawn by its department ({names}); "
            "reject it",
        )


async def amendment_approved(
    ctx: ProcedureContext, effects: Effects, item_id: int, decision: Decision
) -> Effects:
    """``effects`` of approving amendment ``item_id``: the termination moved, the months
    overpaid between the two dates recovered.

    Raises:
        Refusal: ``conflict`` — the termination the amendment moves is no longer in force
            (lifted, or moved since), or the departments withdrew the records it rests on:
            reject it; ``overpayment-settled`` — the task's
            overpayment is written off, and cannot take more months.
    """
    amendment = TerminationAmendment.model_validate_json((await ctx.item_record(item_id)).payload)
    task_id, person = amendment.task_id, amendment.person.id_number
    closed = await ctx.store.closed_benefit(person)
    found = await termination_in_force(ctx, task_id)
    row = await ctx.store.get_task(task_id)
    if closed is None or closed[1] != task_id or found is None or row is None:
        raise Refusal(
            "conflict", f"the termination by task {task_id} is no longer in force; reject it"
        )
    await _check_standing(ctx, amendment)
    balance = await ctx.store.get_overpayment(task_id)
    # Voided, the termination still in force: a death moved back (a withdrawn record) cut
    # every month it counted, so it owes nothing; dated earlier again, the months this
    # approval makes overpaid open it again (task_series.balance_grown).
    if balance is not None and balance.status == RecoveryStatus.written_off.value:
        raise Refusal(
            "overpayment-settled",
            f"the overpayment of task {task_id} is {balance.status}: it takes no more months",
        )
    task = VerificationTask.model_validate_json(row.snapshot)
    snapshot = await ctx.store.get_roster(person)
    amended = amend(
        found[1],
        amendment,
        task=task,
        roster=BenefitRecord.model_validate_json(snapshot) if snapshot else None,
        recovered=await ctx.store.counted_months(person, "recovered"),
        back_paid=await ctx.store.back_paid_months(person),
        decided_by=decision.actor,
        at=ctx.clock(),
        item_id=item_id,
    )
    overs = amended.overpayments
    moved = ctx.outcomes.record(
        amended.termination,
        message_id=numbered(f"termination:{task_id}", found[0] + 1),
        person=task.person,
        reason=task.kind.value,
        at=ctx.clock(),
    )
    decided = effects.audit[0]  # the approval's own link: same actor and digest
    audit = AuditWrite("termination_amended", task_id, decided.actor, moved.sha256)
    effects = extend(effects, outcomes=(moved,), audit=(audit,))
    said = "no month paid between the two dates: nothing more to recover"
    if overs:
        months = amended.recovered_months
        total = sum((o.amount for o in overs), Decimal(0))
        said = f"{months[0]}..{months[-1]} = {total} overpaid ({len(months)} months)"
        effects = await overpayments_added(
            ctx, effects, task, overs, task_id=task_id, actor=decided.actor, balance=balance
        )
    remarks = (
        f"death date amended from {amendment.event_date} to {amendment.amended_event_date} "
        f"(amendment {item_id} approved by {decision.actor.id}): {said}"
    )
    told = task.model_copy(update={"remarks": remarks[:1000]})
    return extend(effects, **task_effects(ctx, told, TaskRecord(task, row.version)))
