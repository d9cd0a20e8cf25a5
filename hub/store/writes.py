"""Every write of a message's effects, described once for both dialects.

:func:`plan` turns one message's :class:`~certhub.hub.store.effects.Effects` into a
list of dialect-neutral operations: statements with their parameters (``?``
placeholders), the row count each must change, the refusal when it does not
(or when it hits a unique key), and the audit links in between. Each backend
has a small executor that runs such a list inside its open transaction
(:class:`~certhub.hub.store.sqlite.executor.EffectWriter` on ``sqlite3``,
:class:`~certhub.hub.store.postgres.executor.GroupWrite` on asyncpg); what is written,
in which order, and what refuses it lives here only, so the two cannot drift.
An executor may run an operation its own faster way (PostgreSQL inserts many
rows with one ``unnest`` statement) as long as the outcome is the same.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Final

from certhub.hub.rules.comparison import MACHINE_REPORTER
from certhub.hub.store import (
    biometrics,
    deadlines,
    ledger_rows,
    money,
    outbox,
    ratings,
    recovery,
    register,
    register_withdrawal,
)
from certhub.hub.store.base import Conflict
from certhub.hub.store.effects import NO_EFFECTS, Effects, HubRecord, TaskWrite
from certhub.hub.store.person_guard import CLOSED_BY, certified_checks, guard_checks
from certhub.hub.store.records import NewMessage
from certhub.hub.store.sql_transport import SqlWrites


@dataclass(frozen=True, slots=True)
class Run:
    """One statement; ``refused`` when it did not change ``expect`` rows (if given), and
    ``unique`` when it hit a unique key (if given).

    ``audit`` (action, subject, actor) is chained when the statement changed a
    row (an executor counts those); ``required`` stops the remaining operations
    when it changed none (the change was made already, or is not allowed).
    """

    sql: str
    params: tuple[object, ...]
    expect: int | None = None
    refused: Conflict | None = None
    unique: Conflict | None = None
    audit: tuple[str, str, str] | None = None
    required: bool = False


@dataclass(frozen=True, slots=True)
class RunMany:
    """One statement for each of ``rows``; ``unique`` as for :class:`Run`."""

    sql: str
    rows: Sequence[tuple[object, ...]]
    unique: Conflict | None = None


@dataclass(frozen=True, slots=True)
class Check:
    """A query whose first value (None when no row) must be ``expect``, else ``refused``."""

    sql: str
    params: tuple[object, ...]
    expect: object
    refused: Conflict


@dataclass(frozen=True, slots=True)
class Link:
    """One more link of the audit chain."""

    at: str
    action: str
    subject: str
    actor: str
    digest: str


Op = Run | RunMany | Check | Link

ITEM_OPEN: Final = "INSERT INTO items (item_id, kind, status, municipal) VALUES (?,?,'received',?)"
ITEM_UPDATE: Final = (
    "UPDATE items SET status=?, accepted_by=?, decided_by=?, version=version+1"
    " WHERE item_id=? AND version=?"
)
TASK_INSERT: Final = (
    "INSERT INTO tasks (task_id, person_id, kind, status, county, village, snapshot, version,"
    " changed_seq) VALUES (?,?,?,?,?,?,?,0,?)"
)
TASK_UPDATE: Final = (
    "UPDATE tasks SET status=?, snapshot=?, version=version+1, changed_seq=?"
    " WHERE task_id=? AND version=?"
)
ROSTER_UPSERT: Final = (
    "INSERT INTO roster (person_id, as_of, snapshot, sequence) VALUES (?,?,?,?)"
    " ON CONFLICT (person_id) DO UPDATE SET as_of=excluded.as_of,"
    " snapshot=excluded.snapshot, sequence=excluded.sequence"
    " WHERE excluded.as_of >= roster.as_of"
)
NOTICE_INSERT: Final = (
    "INSERT INTO notices (notice_id, person_id, kind, text, sequence)"
    " VALUES (?,?,?,?,?) ON CONFLICT (notice_id) DO NOTHING"
)
OVERPAYMENT_INSERT: Final = (
    "INSERT INTO overpayments (task_id, person_id, county, period, months, amount_cents,"
    " sequence) VALUES (?,?,?,?,?,?,?)"
)
_REPORTS_OF_UNIT: Final = (  # the hub's own comparison reports are no unit's reporting
    "SELECT 1 FROM ledger WHERE message_type='eligibility_report/v1' AND period=?"
    " AND {column}=? AND sender<>? LIMIT 1"
)
CHANGED_MEANWHILE: Final = "changed meanwhile; retry"


def _guards(effects: Effects) -> list[Op]:
    """The checks that what a planner read of a person is still so (refused: conflict)."""
    ops: list[Op] = []
    if (read := effects.person_guard) is not None:
        refusal = Conflict("conflict", f"the person's benefit {CHANGED_MEANWHILE}")
        ops += [Check(*check, refusal) for check in guard_checks(read)]
    if (held := effects.certified_guard) is not None:  # a certification meanwhile: no suspension
        refusal = Conflict("conflict", f"the pensioner's certification {CHANGED_MEANWHILE}")
        ops += [Check(*check, refusal) for check in certified_checks(held)]
    if (closure := effects.closure_read) is not None:  # announced: a death confirmed meanwhile
        refusal = Conflict("conflict", f"the person's benefit {CHANGED_MEANWHILE}")
        ops.append(Check(CLOSED_BY, (closure.person_id,), closure.task_id, refusal))
    for gone in effects.absent:  # planned on as not there: recorded meanwhile
        refusal = Conflict("conflict", f"{gone.message_id!r} of {gone.sender} recorded meanwhile")
        ops.append(Check(RECORDED, (gone.sender, gone.message_id), None, refusal))
    return ops


def _withdrawal(w: register_withdrawal.RegisterWithdrawal) -> list[Op]:
    """A certification out of the register, folded again (refused: conflict)."""
    refusal = Conflict("conflict", f"the person's certifications {CHANGED_MEANWHILE}")
    return [
        Check(register_withdrawal.LATEST, (w.person_id,), w.latest, refusal),
        Run(register_withdrawal.DELETE, (w.sequence, w.person_id), expect=1, refused=refusal),
        *(Run(register_withdrawal.RELINK, p) for p in register_withdrawal.relink_params(w)),
        Run(register_withdrawal.PERSON, register_withdrawal.person_params(w)),
    ]


RECORDED: Final = "SELECT 1 FROM ledger WHERE sender=? AND message_id=?"
"""Whether the ledger holds a record (sender, message id): a once-signed one's check, and
:class:`~certhub.hub.store.effects.Unrecorded`'s."""


def once_keys(effects: Effects) -> list[tuple[str, str]]:
    """The (sender, message id) of the records in ``effects`` the hub signs once
    (:attr:`~certhub.hub.store.effects.HubRecord.once`), to look up before :func:`plan`."""
    return [(r.sender, r.message_id) for r in effects.outcomes if r.once]


def unrecorded(effects: Effects, recorded: Container[tuple[str, str]]) -> Effects:
    """``effects`` without the once-signed records already ``recorded`` (by a message
    committed after this one was planned: two certifications ending one suspension both
    plan its restoration proposal; the first stands, the second message is stored without
    it). Looked up in the message's transaction, before :func:`plan` takes sequences."""
    kept = tuple(
        r for r in effects.outcomes if not (r.once and (r.sender, r.message_id) in recorded)
    )
    return effects if len(kept) == len(effects.outcomes) else replace(effects, outcomes=kept)


def plan(
    sequence: int, message: NewMessage, effects: Effects, take_sequence: Callable[[], int]
) -> list[Op]:
    """What storing ``effects`` of ``message`` (at ``sequence``) writes, in order.

    ``take_sequence`` hands out the ledger sequences of the hub's own records
    (outcomes) the effects append.
    """
    if effects is NO_EFFECTS:  # the common case on the ingress path: nothing to build
        return []
    ops: list[Op] = _guards(effects)  # first: nothing runs on a stale plan
    if (guard := effects.zero_report_guard) is not None:
        column = "village" if len(guard.unit) == 12 else "county"
        detail = f"this region already sent eligibility reports for {guard.period}"
        refusal = Conflict("zero-report-conflict", detail)
        sql = _REPORTS_OF_UNIT.format(column=column)
        ops.append(Check(sql, (guard.period, guard.unit, MACHINE_REPORTER), None, refusal))
    if effects.item is not None:
        ops.append(Run(ITEM_OPEN, (sequence, effects.item.kind, effects.item.municipal)))
    if (u := effects.item_update) is not None:
        refusal = Conflict("conflict", f"item {u.item_id} {CHANGED_MEANWHILE}")
        update = (u.status, u.accepted_by, u.decided_by, u.item_id, u.expected_version)
        ops.append(Run(ITEM_UPDATE, update, expect=1, refused=refusal))
    ops += [_task(task, sequence) for task in effects.tasks]
    if (r := effects.roster) is not None:
        ops.append(Run(ROSTER_UPSERT, (r.person_id, r.as_of, r.snapshot, sequence)))
        ops.append(Run(register.ROSTER, register.roster_params(r)))
    if (c := effects.certified) is not None:
        person, link = register.certified_params(c, sequence)
        ops += [Run(register.CERTIFIED, person), Run(register.LINKED, link)]
    if (w := effects.withdrawn) is not None:  # checked first: a certification meanwhile
        ops += _withdrawal(w)
    for record in effects.outcomes:
        ops += _outcome(record, message, take_sequence())
    for n in effects.notices:
        ops.append(Run(NOTICE_INSERT, (n.notice_id, n.person_id, n.kind, n.text, sequence)))
    ops += _deliveries(sequence, message, effects)
    for o in effects.overpayments:
        cents = int(Decimal(o.amount) * 100)
        params = (o.task_id, o.person_id, o.county, o.period, o.months, cents, sequence)
        ops.append(Run(OVERPAYMENT_INSERT, params))
        ops.append(Run(recovery.OPEN_BALANCE, (o.task_id,)))
    ops += _money(sequence, effects)
    ops += _recovery(sequence, effects)
    if (b := effects.biometric) is not None:
        row = (b.person_id, b.modality, b.status, b.occurred_at, b.channel, b.area, sequence)
        ops.append(Run(biometrics.UPSERT, row))
    ops += _ratings(sequence, effects)
    for write in effects.deadlines:
        sql, values, refused = deadlines.statement(write)
        ops.append(Run(sql, values, expect=1 if refused else None, refused=refused))
    at = message.received_at.isoformat()
    ops += [Link(at, a.action, a.subject, a.actor, a.digest) for a in effects.audit]
    return ops


def _task(task: TaskWrite, sequence: int) -> Run:
    if task.expected_version is None:
        opened = Conflict("conflict", "a task for this person and kind opened meanwhile")
        row = (task.task_id, task.person_id, task.kind, task.status, task.county)
        return Run(TASK_INSERT, (*row, task.village, task.snapshot, sequence), unique=opened)
    refusal = Conflict("conflict", f"task {task.task_id} {CHANGED_MEANWHILE}")
    update = (task.status, task.snapshot, sequence, task.task_id, task.expected_version)
    return Run(TASK_UPDATE, update, expect=1, refused=refusal)


def _outcome(record: HubRecord, cause: NewMessage, sequence: int) -> list[Op]:
    """A record the hub signed, appended at ``sequence`` with its own audit link."""
    outcome = record.as_message(cause.received_at)
    at = outcome.received_at.isoformat()
    ops: list[Op] = [
        Run(ledger_rows.INSERT, ledger_rows.insert_params(sequence, outcome, "")),
        Link(at, "outcome_recorded", str(sequence), record.sender, record.sha256),
    ]
    if (item := record.item) is not None:  # a proposal the hub opens for people to decide
        ops.append(Run(ITEM_OPEN, (sequence, item.kind, item.municipal)))
    return ops


def _deliveries(sequence: int, message: NewMessage, effects: Effects) -> list[Op]:
    """The deliveries (notices' SMS included), queued in the same transaction."""
    writes = [*map(outbox.notice_delivery, effects.notices), *effects.outbox]
    if not writes:
        return []
    created = message.received_at.timestamp()
    return [RunMany(outbox.INSERT, [outbox.insert_params(w, sequence, created) for w in writes])]


def _money(sequence: int, effects: Effects) -> list[Op]:
    """Months, closures and evidence bindings: each refused by its key when counted twice."""
    ops: list[Op] = [Run(money.RELEASE_MONTHS, (source,)) for source in effects.release_months]
    # Freed before anything is claimed: a true death confirmed after a voided termination
    # recovers the voided overpayment's months and takes the closure it lifts (true_death).
    if (v := effects.overpayment_change) is not None and v.step == "voided":
        ops.append(Run(money.RELEASE_RECOVERED, (v.task_id,)))  # refunded, not recovered
    if (c := effects.closure_lifted) is not None:
        lifted = (c.person_id, c.task_id)
        ops.append(Run(money.LIFT_CLOSURE, lifted, expect=1, refused=money.closure_changed(c)))
    # a death moved later gives back months another cause recovers at once (amendment_undo)
    for r in effects.overpayment_reductions:
        refused = Conflict("conflict", f"the overpayment of task {r.task_id} {CHANGED_MEANWHILE}")
        for month in r.months:  # each claimed by this task, else the ledger moved meanwhile
            freed = (r.person_id, month, r.task_id)
            ops.append(Run(recovery.FREE_MONTH, freed, expect=1, refused=refused))
    for claim in effects.months:
        source = claim.source or str(sequence)
        rows = [(claim.person_id, claim.purpose, m, source, sequence) for m in claim.months]
        ops.append(RunMany(money.CLAIM_MONTH, rows, unique=money.months_taken(claim)))
    if (c := effects.closure) is not None:
        params = (c.person_id, c.reason, c.task_id, sequence)
        ops.append(Run(money.CLOSE_BENEFIT, params, unique=money.already_closed(c)))
    for b in effects.evidence_bindings:
        ops.append(Run(money.BIND_EVIDENCE, (b.sha256, b.person_id, sequence)))
        ops.append(Check(money.BOUND_PERSON, (b.sha256,), b.person_id, money.other_person(b)))
    return ops


_AMOUNT_GUARDED: Final = {
    "recovered": recovery.ADD_RECOVERED_AT,
    "write_off_approved": recovery.APPROVE_WRITE_OFF_AT,
}


def _recovery(sequence: int, effects: Effects) -> list[Op]:
    """A sum recovered and the balance it moves, each refused when the ledger moved first."""
    ops: list[Op] = []
    if (w := effects.recovery) is not None:
        row = (sequence, w.task_id, w.amount_cents, w.source, w.recovered_on, w.reference)
        ops.append(Run(recovery.INSERT_RECOVERY, row, unique=recovery.reference_used(w)))
    if (c := effects.overpayment_change) is not None:
        refused = recovery.changed_meanwhile(c)
        expected = c.expected_recovered_cents
        sql, params = {
            "recovered": (
                recovery.ADD_RECOVERED,
                (c.recovered_cents, c.status, c.task_id, expected),
            ),
            "write_off_requested": (recovery.OPEN_WRITE_OFF, (sequence, c.task_id, expected)),
            "write_off_rejected": (recovery.CLOSE_WRITE_OFF, (c.task_id, c.item_id)),
            "write_off_approved": (
                recovery.APPROVE_WRITE_OFF,
                (c.task_id, c.item_id, expected),
            ),
            "voided": (recovery.VOID_OVERPAYMENT, (c.task_id, expected)),
        }[c.step]
        if c.expected_amount_cents is not None and c.step in _AMOUNT_GUARDED:
            sql, params = _AMOUNT_GUARDED[c.step], (*params, c.expected_amount_cents)
        ops.append(Run(sql, params, expect=1, refused=refused))  # voided: months freed above
    if (x := effects.overpayment_extension) is not None:
        refused = Conflict("conflict", f"the overpayment of task {x.task_id} {CHANGED_MEANWHILE}")
        grown: tuple[object, ...] = (x.months, x.amount_cents, x.task_id, x.expected_amount_cents)
        extend, balance = recovery.EXTEND_OVERPAYMENT, recovery.EXTEND_BALANCE
        if x.reopens is not None:  # a voided balance: the months added are all it owes
            grown, (extend, balance) = (x.reopens, *grown), recovery.REOPEN
        ops.append(Run(extend, grown, expect=1, refused=refused))
        status = (x.status, x.task_id, x.expected_recovered_cents)
        ops.append(Run(balance, status, expect=1, refused=refused))
    for r in effects.overpayment_reductions:
        refused = Conflict("conflict", f"the overpayment of task {r.task_id} {CHANGED_MEANWHILE}")
        cut = (r.months_count, r.amount_cents, r.task_id, r.expected_amount_cents)
        ops.append(Run(recovery.REDUCE_OVERPAYMENT, cut, expect=1, refused=refused))
        kept = (r.recovered_cents, r.status, r.task_id, r.expected_recovered_cents)
        ops.append(Run(recovery.REDUCE_BALANCE, kept, expect=1, refused=refused))
    return ops  # the months reductions free: freed before any claim (_money)


def _ratings(sequence: int, effects: Effects) -> list[Op]:
    """A rating (once per service) with its follow-up, or a step of a follow-up."""
    ops: list[Op] = []
    if (r := effects.rating) is not None:
        row = (sequence, r.service_record, r.service_kind, r.score, r.rater, r.via, r.area)
        ops.append(Run(ratings.INSERT_RATING, (*row, r.rated_at), unique=ratings.rated_already()))
        if r.follow_up_due is not None:
            ops.append(Run(ratings.OPEN_FOLLOW_UP, (sequence, r.area, r.follow_up_due)))
    if (f := effects.follow_up) is not None:
        params = (f.at, f.outcome, f.rating)
        refused = ratings.follow_up_closed()
        ops.append(Run(ratings.FOLLOW_UP[f.action], params, expect=1, refused=refused))
    return ops


def now() -> str:
    """The time stamp of a write that no message carries (an outbox change, a notice sent)."""
    return datetime.now(UTC).isoformat()


class LedgerWrites(SqlWrites):
    """The writes that are not messages, the same on both dialects (``_run_ops`` runs them)."""

    async def outbox_apply(self, ops: Sequence[Op]) -> int:
        """Run one outbox state change in the next group commit; how many audited rows changed."""
        return await self._run_ops(ops)

    async def record_audit(self, action: str, subject: str, actor: str, digest: str) -> None:
        """Append an audit entry that belongs to no ledger record (e.g. evidence stored)."""
        await self._run_ops([Link(now(), action, subject, actor, digest)])

    async def mark_notice_sent(self, notice_id: str) -> None:
        """Record that the gateway accepted a notice, with an audit entry."""
        at = now()
        sent = Run("UPDATE notices SET sent_at=? WHERE notice_id=?", (at, notice_id))
        await self._run_ops([sent, Link(at, "notice_sent", notice_id, "hub", "-")])
