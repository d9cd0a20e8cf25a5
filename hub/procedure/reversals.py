"""What a department's void has undone, read from the ledger: one answer for every planner.

The comparison's clearing step (:mod:`~certhub.hub.procedure.comparison`) and
a restoration's checks (:func:`~certhub.hub.procedure.intake.recheck_restoration`)
both ask whether a termination is voided; both read the same facts here — the
task's machine sources, the records their departments withdrew, the closure —
and decide with the same pure rule (:func:`~certhub.hub.rules.comparison.reversal_action`),
so a remark saying a restoration can be filed and the check of that
restoration never disagree.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import partial

from certhub.hub.procedure.amendments import amendment_message_id
from certhub.hub.procedure.context import ProcedureContext
from certhub.hub.procedure.late_suspension import hub_suspensions
from certhub.hub.procedure.register_suspension import cycle_proposal, suspension_message_id
from certhub.hub.procedure.task_series import numbered, series
from certhub.hub.procedure.tasks import closed_by, task_effects
from certhub.hub.procedure.voids import last_cited, withdrawn_after
from certhub.hub.rules.amendment import resting_on
from certhub.hub.rules.comparison import (
    MACHINE_REPORTER,
    ReversalAction,
    SourceRecord,
    cited,
    reversal_action,
)
from certhub.hub.rules.cycle import held_liability, liable_from
from certhub.hub.rules.decisions import UNDER_REVIEW, ItemStatus
from certhub.hub.rules.months import month_label
from certhub.hub.rules.restoration import OtherCauses, VoidedTermination
from certhub.hub.rules.restoration_findings import HubFindings, HubSuspension, sentence_end
from certhub.hub.rules.tasks import TaskRecord
from certhub.hub.store.base import ItemRow, LedgerRecord
from certhub.hub.store.register_reads import PersonRegister
from certhub.schemas import (
    EligibilityReport,
    Restoration,
    Suspension,
    SuspensionReason,
    TaskDisposal,
    TaskKind,
    Termination,
    TerminationAmendment,
    VerificationTask,
)
from certhub.schemas.clock import CHINA_STANDARD_TIME

__all__ = [
    "OpenedAmendment",
    "amendments_opened",
    "disappearance_ended",
    "hub_findings",
    "joined_to_termination",
    "liable_day",
    "machine_sources",
    "not_certified_suspension",
    "open_tasks",
    "report_closed_by",
    "rests_on",
    "suspension_causes",
    "voided_task",
    "voided_termination",
    "withdrawn_records",
]


async def machine_sources(
    ctx: ProcedureContext, task: VerificationTask
) -> dict[str, tuple[SourceRecord, ...]]:
    """For each of the task's sources that is a machine report, the records it cited."""
    found: dict[str, tuple[SourceRecord, ...]] = {}
    for source in task.sources:
        if source.isdigit():  # an item id: a person's report
            continue
        record = await ctx.store.find(MACHINE_REPORTER, source)
        if record is not None:
            found[source] = cited(EligibilityReport.model_validate_json(record.payload).remarks)
    return found


async def withdrawn_records(
    ctx: ProcedureContext, machine: dict[str, tuple[SourceRecord, ...]]
) -> set[tuple[str, str]]:
    """(department, record id) of the cited records whose void the ledger holds, recorded
    after the last of the reports ``machine`` citing it (a record its department sent again
    after a void stands again: :mod:`~certhub.hub.procedure.voids`)."""
    return await withdrawn_after(ctx, await last_cited(ctx, machine))


OpenedAmendment = tuple[LedgerRecord, ItemRow | None]
"""An amendment the hub opened of a termination, and its review item."""


async def amendments_opened(ctx: ProcedureContext, task_id: str) -> list[OpenedAmendment]:
    """The amendments opened of the termination by ``task_id``, in order, each with its
    item: read once by a restoration's check, for what it rests on and what is open."""
    found = await series(ctx, partial(amendment_message_id, task_id))
    return [(record, await ctx.store.get_item(record.sequence)) for record in found]


async def voided_task(
    ctx: ProcedureContext, task_id: str, opened: list[OpenedAmendment] | None = None
) -> VerificationTask | None:
    """Task ``task_id`` if it terminated the person's benefit and that termination is
    voided: every record it rested on withdrawn, no person's report behind it (``opened``:
    its :func:`amendments_opened`, when read already)."""
    row = await ctx.store.get_task(task_id)
    if row is None:
        return None
    task = VerificationTask.model_validate_json(row.snapshot)
    closed = await ctx.store.closed_benefit(task.person.id_number)
    resting = await rests_on(ctx, task, opened)
    machine = await machine_sources(ctx, resting)
    action = reversal_action(
        resting,
        await withdrawn_records(ctx, machine),
        machine,
        terminated_by_task=closed is not None and closed[1] == task_id,
    )
    return task if action is ReversalAction.PROPOSE_RESTORATION else None


async def rests_on(
    ctx: ProcedureContext, task: VerificationTask, opened: list[OpenedAmendment] | None = None
) -> VerificationTask:
    """``task`` with the sources of the approved amendments of its termination added, as a
    task names them: a person's report by its item id, the comparison's record by its
    message id — what the termination in force rests on (``opened``: the
    :func:`amendments_opened`, when read already).

    Decided here (rule 7, money safety): an amendment re-dates the death on a later record;
    approved at two levels, the termination in force rests on it as well, so the departments
    withdrawing the records the task cited no longer void it when a person's report moved
    it (a machine's record must be withdrawn as well)."""
    found: list[str] = []
    for record, item in await amendments_opened(ctx, task.task_id) if opened is None else opened:
        if item is None or item.status != ItemStatus.APPROVED:
            continue
        if source := resting_on(TerminationAmendment.model_validate_json(record.payload)):
            found.append(source)
    return task.model_copy(update={"sources": [*task.sources, *found]}) if found else task


async def report_closed_by(ctx: ProcedureContext, person_id: str) -> str | None:
    """What closed the person's benefit, as a new report about them sees it (linked to
    that history, no task) — None also when it is the hub's termination found voided.

    Decided here (rule 7, money safety): the departments withdrew every record that
    death rested on, so the person is not known dead; a death (or any) report arriving
    while its restoration is pending is new evidence and opens a verification task, which
    holds the restoration back until it is settled (``restoration-verification-open``;
    confirmed, ``restoration-finding-confirmed``).
    """
    hubs = await ctx.store.closed_benefit(person_id)
    if hubs is None:
        return await closed_by(ctx, person_id)  # the roster's, if it says terminated
    if await voided_task(ctx, hubs[1]) is not None:
        return None
    return f"{hubs[0]}, task {hubs[1]}"


async def joined_to_termination(
    ctx: ProcedureContext, person_id: str, reason: str, source: str
) -> dict[str, tuple[object, ...]]:
    """The writes making a report linked to the hub's termination of ``person_id``'s benefit
    one of its task's sources (``source``: a person's report by its item id, the
    comparison's by its message id): the task re-signed, still confirmed. None (empty) when
    the closure is not the hub's, the report is of another reason, or it is a source already.

    Decided here (rule 7, money safety): a report of the same death (loss of nationality,
    duplicate receipt), approved at two levels or a department's record, after the
    confirmation stands behind the termination as those before it did; linked to the
    closed history alone, a department's void of the records the task cited voided the
    termination all the same, and its restoration lifted the closure of a person reported
    dead (their overpayment voided, payment resumed).
    """
    closed = await ctx.store.closed_benefit(person_id)
    row = await ctx.store.get_task(closed[1]) if closed and closed[0] == reason else None
    if row is None:
        return {}
    task = VerificationTask.model_validate_json(row.snapshot)
    if source in task.sources:
        return {}
    joined = task.model_copy(update={"sources": (*task.sources, source)})
    return task_effects(ctx, joined, TaskRecord(task, row.version))


async def voided_termination(
    ctx: ProcedureContext, task_id: str
) -> tuple[VoidedTermination, OtherCauses] | None:
    """The hub's termination by ``task_id`` — the one in force, an approved amendment's
    when the death was dated earlier — if its departments withdrew all it rested on, and
    what else could explain a suspension the roster shows (:func:`suspension_causes`).

    None when the task is unknown, did not terminate the person's benefit, rests
    on a person's report or on any record not withdrawn, or its signed
    termination cannot be read back (nothing is restored on facts the hub cannot show).
    The person's register row is read once, for both.
    """
    opened = await amendments_opened(ctx, task_id)
    task = await voided_task(ctx, task_id, opened)
    if task is None:
        return None
    person = task.person.id_number
    signed = await series(ctx, partial(numbered, f"termination:{task_id}"))
    if not signed:
        return None
    # Restored from the termination in force (the last signed: an approved amendment moved
    # the death earlier); it stood since the first was signed.
    record, termination = signed[0], Termination.model_validate_json(signed[-1].payload)
    recovered = await ctx.store.counted_months(person, "recovered")
    # Confirmed after the termination was signed: recorded with no disposal ("benefit
    # already terminated"), so nothing but this stops restoring payment over them. Before
    # it, a suspension the hub decided (imprisonment, disappearance) stands under the
    # closure until a restoration approved after it ended it: lifting the closure would
    # resume payment over it.
    later: list[VerificationTask] = []
    for row in await ctx.store.confirmed_tasks(person):
        found = VerificationTask.model_validate_json(row.snapshot)
        if row.task_id == task_id:
            continue
        suspended = found.disposal is TaskDisposal.suspend and row.changed_seq < record.sequence
        if row.changed_seq > record.sequence or (
            suspended and not await ctx.store.resumed_after(person, row.changed_seq)
        ):
            later.append(found)
    findings = tuple(f"{found.kind.value} {found.task_id}" for found in later)
    register = await ctx.store.register_person(person)
    voided = VoidedTermination(
        task_id,
        termination.effective_from,
        recovered,
        findings,
        await not_certified_suspension(ctx, person, register),
        await open_tasks(ctx, person, opened),  # the closure is the task's: its amendments
        await ctx.store.back_paid_months(person),  # the estate's, say: paid, never again
    )
    return voided, suspension_causes(register, ctx.grace_months)


async def not_certified_suspension(
    ctx: ProcedureContext, person_id: str, row: PersonRegister | None
) -> str | None:
    """The non-certification suspension the hub approved for ``person_id`` (``row`` their
    register row), if it stands.

    The register proposes one per person and due month; the county's approval makes the
    hub sign the suspension under the proposal's item. A passed certification moves the
    register's due month on (the approval itself is refused once it has), so only the
    proposal for the current due month can still stand: each read by its message id.
    None: no such suspension, or a certification ended it.
    """
    found = await _not_certified(ctx, person_id, row)
    return found[0] if found else None


async def _not_certified(
    ctx: ProcedureContext, person_id: str, row: PersonRegister | None
) -> tuple[str, Suspension] | None:
    """:func:`not_certified_suspension` with the suspension the hub signed."""
    if row is None or row.due_month is None:
        return None  # never certified: the register proposes no suspension
    hub = ctx.outcomes.hub_id
    proposal = await cycle_proposal(ctx.store, hub, row.due_month, person_id)  # the latest
    if proposal is None:
        return None
    suspension = await ctx.store.find(hub, suspension_message_id(proposal.sequence))
    if suspension is None:
        return None  # proposed, not (yet) approved: nothing stopped payment
    name = f"proposal {proposal.sequence}, due {month_label(row.due_month)}"
    return name, Suspension.model_validate_json(suspension.payload)


async def open_tasks(
    ctx: ProcedureContext, person_id: str, opened: list[OpenedAmendment] | None = None
) -> tuple[str, ...]:
    """The person's verification tasks still open (``"<kind> <task id>"``), each read by
    key: one per kind at most (the ``tasks_one_open`` index) — and their eligibility
    reports still under review (``"<reason> report <item> <status>"``, read by key too).

    Decided here (rule 7, money safety): a report opens its task only when the county
    approves it, yet from its filing it may be the one that finds the person dead,
    imprisoned or gone; a restoration waits for it as for an open task
    (``restoration-verification-open``): rejected, nothing holds it; approved, its task
    does. So does an amendment of the person's confirmed death under review
    (``"termination amendment <item> <status>"``): a report of that death, approved, that
    nothing has verified yet (``opened``: the amendments of the person's closure, when read
    already)."""
    found = [(kind, await ctx.store.find_open_task(person_id, kind.value)) for kind in TaskKind]
    reports = await ctx.store.reports_under_review(person_id)
    amendment = await _amendment_under_review(ctx, person_id, opened)
    return (
        tuple(f"{kind.value} {task.task_id}" for kind, task in found if task)
        + tuple(f"{r.reason} report {r.item_id} {r.status}" for r in reports)
        + ((amendment,) if amendment else ())
    )


async def _amendment_under_review(
    ctx: ProcedureContext, person_id: str, opened: list[OpenedAmendment] | None
) -> str | None:
    """The person's termination amendment still received or accepted, if any (the last one
    opened of the hub's termination, ``opened`` when read already: one is open at a time)."""
    if opened is None:
        closed = await ctx.store.closed_benefit(person_id)
        opened = await amendments_opened(ctx, closed[1]) if closed else []
    if not opened:
        return None
    record, item = opened[-1]
    if item is None or item.status not in UNDER_REVIEW:
        return None
    return f"termination amendment {record.sequence} {item.status}"


def suspension_causes(row: PersonRegister | None, grace_months: int = 0) -> OtherCauses:
    """What else the hub knows that could explain the roster suspending the person whose
    register row is ``row``: the due month (overdue: perhaps suspended for
    non-certification)."""
    return OtherCauses(row.due_month if row else None, grace_months)


async def hub_findings(ctx: ProcedureContext, person_id: str) -> HubFindings:
    """What the hub found of the person beyond the roster: verification tasks still open
    (:func:`open_tasks`) and the suspensions it signed on confirmed tasks that no
    restoration approved after the confirmation ended (read through ``tasks_confirmed``),
    each with the event date and sentence end its signed suspension states — and the
    non-certification suspension it signed on an approved register proposal, while no
    passed certification has ended it (:func:`not_certified_suspension`), or, with none,
    the person overdue for certification on the day of the check (the register's due
    month and the grace months after it passed, or the later day a verification's clearance
    gave: :func:`liable_day`; suspended, or would now be, for it — as a
    voided termination's check reads it,
    :func:`~certhub.hub.rules.restoration.check_suspension_lift`)."""
    standing: list[HubSuspension] = []
    register = await ctx.store.register_person(person_id)
    not_certified = await _not_certified(ctx, person_id, register)
    if not_certified is not None:
        name, stopped = not_certified
        standing.append(HubSuspension(name, stopped.reason, stopped.effective_from))
    elif register is not None and register.due_month is not None:
        due = register.due_month
        liable = await liable_day(ctx, person_id, due)
        if ctx.today() >= liable:  # liable: would now be suspended
            overdue = f"overdue, due {month_label(due)}"
            standing.append(HubSuspension(overdue, SuspensionReason.not_certified, liable))
    for _, task, suspension in await hub_suspensions(ctx, person_id):
        name = f"{task.kind.value} {task.task_id}"
        if suspension is None:  # confirmed under a closure: never restored over
            jailed = task.kind is TaskKind.imprisonment  # as the disposal names it
            reason = SuspensionReason.imprisonment if jailed else SuspensionReason.missing
            standing.append(HubSuspension(name, reason, None))
            continue
        standing.append(
            HubSuspension(
                name, suspension.reason, suspension.effective_from, sentence_end(suspension)
            )
        )
    recovered = await ctx.store.counted_months(person_id, "recovered")
    return HubFindings(await open_tasks(ctx, person_id), tuple(standing), recovered)


async def liable_day(ctx: ProcedureContext, person_id: str, due: int) -> date:
    """The day the person due in month ``due`` is liable to suspension, as the sweep reads
    it: a verification that held their reminders and cleared them late moves it
    (:func:`~certhub.hub.rules.cycle.held_liability`); one still on, the usual day."""
    holds = (await ctx.store.reminder_holds([person_id])).get(person_id, [])
    days = [(_china_day(b), None if c is None else _china_day(c)) for b, c in holds]
    return held_liability(due, ctx.grace_months, days) or liable_from(due, ctx.grace_months)


def _china_day(at: datetime) -> date:
    return at.astimezone(CHINA_STANDARD_TIME).date()


async def disappearance_ended(ctx: ProcedureContext, restoration: Restoration) -> str | None:
    """The disappearance task whose suspension ``restoration`` ends, if any: a suspension
    the hub signed on a confirmed ``missing`` task that stands, with ``suspended_since``
    its event date (:func:`~certhub.hub.rules.restoration_findings.check_hub_suspensions`
    lets only that restoration end it).

    Decided here (rule 7, money safety): the person was found; the months missing were
    owed, so the overpayment the confirmation recovered of them is voided when the
    restoration is approved — recovery stops and what was recovered is refunded — as a
    voided termination's is.
    """
    found = await hub_findings(ctx, restoration.person.id_number)
    for suspension in found.suspensions:
        ends = suspension.effective_from == restoration.suspended_since
        if suspension.reason is SuspensionReason.missing and ends:
            return suspension.task.split(" ", 1)[1]
    return None
