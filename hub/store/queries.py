"""Read queries of the ledger: records, items, tasks, roster, compliance, statistics, audit.

Plain SQL that both dialects accept (PostgreSQL numbers the ``?``
placeholders), so the two cannot drift apart in what a read returns; every
query aggregates in SQL, never by loading rows into Python. Only the
transport (``_read``) is the dialect's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final

from typing_extensions import override

from certhub.hub.rules.comparison import MACHINE_REPORTER
from certhub.hub.store import biometrics, deadlines, ratings, recovery
from certhub.hub.store import ledger_rows as schema
from certhub.hub.store.accountability_reads import Condition
from certhub.hub.store.assessment import AssessmentQueries
from certhub.hub.store.audit_chain import AuditEntry
from certhub.hub.store.base import (
    AccountabilityReads,
    BenefitReads,
    BiometricRow,
    DeadlineRow,
    ItemRow,
    LedgerRecord,
    OverpaymentRow,
    PageQuery,
    ProcedureReads,
    RatingRow,
    RecordKind,
    RecoveryReads,
    RecoveryRow,
    Reporting,
    TaskRow,
)
from certhub.hub.store.certification_holds import APPROVED_RESUMPTIONS, CertificationHoldReads
from certhub.hub.store.comparison_job_writes import ComparisonPartitions
from certhub.hub.store.disclosure import DisclosureQueries
from certhub.hub.store.hold_clearances import HoldClearanceReads
from certhub.hub.store.listing import Listing
from certhub.hub.store.person_guard import PersonGuardReads
from certhub.hub.store.pull_reads import EVIDENCE_STORED_BY, PullReads
from certhub.hub.store.register_reads import RegisterQueries
from certhub.hub.store.register_writes import RegisterWriting
from certhub.hub.store.review_reads import ReviewReads
from certhub.hub.store.roster_compact import roster_entry
from certhub.hub.store.rows import Row, row_as
from certhub.hub.store.sender_queries import SenderQueries
from certhub.hub.store.statistics import GROUPINGS, StatisticsReads
from certhub.security.scopes import AreaScope

CLOSED_IMPORTED: Final = (
    "SELECT c.person_id FROM closed_benefits AS c CROSS JOIN roster AS r"
    " WHERE r.person_id = c.person_id AND r.sequence = 0 AND r.as_of = ?"
    " UNION SELECT t.person_id FROM tasks AS t CROSS JOIN roster AS r"
    " WHERE t.status = 'confirmed' AND t.kind IN ('imprisonment', 'missing')"
    " AND r.person_id = t.person_id AND r.sequence = 0 AND r.as_of = ?"
    " ORDER BY 1"
)
"""People whose benefit the hub closed, or suspended on a confirmed imprisonment or
disappearance, and whose roster entry an import as of ``?`` (given twice) wrote; whether a
restoration has ended the suspension since is read per person (its approval is an item's
status, joined on a cast no index serves). ``CROSS JOIN``: SQLite loops over the few closed
benefits and confirmed tasks (``tasks_confirmed``) and looks each one's entry up by key,
never over the millions of roster entries (PostgreSQL plans it as a join)."""


class LedgerReads(
    CertificationHoldReads,
    HoldClearanceReads,
    ReviewReads,
    RegisterQueries,
    ComparisonPartitions,
    RegisterWriting,
    SenderQueries,
    StatisticsReads,
    PullReads,
    AssessmentQueries,
    DisclosureQueries,
    ProcedureReads,
    BenefitReads,
    PersonGuardReads,
    RecoveryReads,
    AccountabilityReads,
    Reporting,
):
    """The read side, the same SQL on both dialects; the dialect provides ``_read``.

    Each ``@override`` implements a role of :class:`~certhub.hub.store.base.LedgerStore`,
    and that role's protocol is the one place that says what it returns.
    """

    async def _read_all(self, cls: type[Row], sql: str, params: tuple[object, ...]) -> list[Row]:
        """``sql``'s rows, each as ``cls`` (:func:`~certhub.hub.store.rows.row_as`)."""
        return [row_as(cls, row) for row in await self._read(sql, params)]

    async def _read_first(self, cls: type[Row], sql: str, params: tuple[object, ...]) -> Row | None:
        """``sql``'s first row as ``cls``, or None when it finds none."""
        rows = await self._read(sql, params)
        return row_as(cls, rows[0]) if rows else None

    async def find(self, sender: str, message_id: str) -> LedgerRecord | None:
        """The record a sender stored under ``message_id``, if any."""
        rows = await self._read(
            schema.SELECT_BY_MESSAGE_ID,
            (sender, message_id),
        )
        return schema.to_record(rows[0]) if rows else None

    async def count(self, kind: RecordKind | None = None) -> int:
        """How many records the ledger holds."""
        if kind is None:
            rows = await self._read("SELECT count(*) FROM ledger", ())
        else:
            rows = await self._read("SELECT count(*) FROM ledger WHERE kind=?", (kind.value,))
        return int(str(rows[0][0]))

    async def get_record(self, sequence: int) -> LedgerRecord | None:
        """The ledger record at ``sequence``."""
        rows = await self._read(
            f"SELECT {schema.COLUMNS} FROM ledger WHERE sequence=?", (sequence,)
        )
        return schema.to_record(rows[0]) if rows else None

    async def page_all(self, after: int, limit: int) -> Sequence[LedgerRecord]:
        """Every record after ``after`` regardless of kind (audit, export)."""
        rows = await self._read(
            f"SELECT {schema.COLUMNS} FROM ledger WHERE sequence>? ORDER BY sequence LIMIT ?",
            (after, limit),
        )
        return [schema.to_record(row) for row in rows]

    @override
    async def get_item(self, item_id: int) -> ItemRow | None:
        return await self._read_first(
            ItemRow,
            "SELECT item_id, kind, status, version, accepted_by, decided_by, municipal"
            " FROM items WHERE item_id=?",
            (item_id,),
        )

    @override
    async def get_task(self, task_id: str) -> TaskRow | None:
        return await self._read_first(TaskRow, _TASK_SELECT + " WHERE task_id=?", (task_id,))

    @override
    async def find_open_task(self, person_id: str, kind: str) -> TaskRow | None:
        return await self._read_first(
            TaskRow,
            _TASK_SELECT + " WHERE person_id=? AND kind=? AND status IN ('open','in_progress')",
            (person_id, kind),
        )

    @override
    async def confirmed_tasks(self, person_id: str) -> Sequence[TaskRow]:
        return await self._read_all(
            TaskRow,
            _TASK_SELECT + " WHERE person_id=? AND status='confirmed' ORDER BY changed_seq",
            (person_id,),
        )

    @override
    async def list_tasks(
        self, page: PageQuery[int], *, status: str | None = None
    ) -> Sequence[TaskRow]:
        return await self._read_all(TaskRow, *_TASKS.page(page, _given("status=?", status)))

    @override
    async def get_roster(self, person_id: str) -> bytes | None:
        rows = await self._read(
            "SELECT snapshot, as_of FROM roster WHERE person_id=?", (person_id,)
        )
        if not rows:
            return None
        snapshot, as_of = rows[0]
        return roster_entry(bytes(snapshot), person_id, str(as_of))  # type: ignore[call-overload]

    @override
    async def closed_benefit(self, person_id: str) -> tuple[str, str] | None:
        rows = await self._read(
            "SELECT reason, task_id FROM closed_benefits WHERE person_id=?", (person_id,)
        )
        return (str(rows[0][0]), str(rows[0][1])) if rows else None

    @override
    async def closed_imported(self, as_of: str) -> list[str]:
        rows = await self._read(CLOSED_IMPORTED, (as_of, as_of))
        return [str(row[0]) for row in rows]

    @override
    async def counted_months(self, person_id: str, purpose: str) -> frozenset[str]:
        rows = await self._read(
            "SELECT month FROM benefit_months WHERE person_id=? AND purpose=?",
            (person_id, purpose),
        )
        return frozenset(str(row[0]) for row in rows)

    @override
    async def resumed_after_roster(self, person_id: str) -> frozenset[str]:
        rows = await self._read(
            "SELECT b.month FROM benefit_months b"
            " LEFT JOIN roster r ON r.person_id = b.person_id"
            " WHERE b.person_id=? AND b.purpose='resumed'"
            " AND (r.sequence IS NULL OR b.sequence > r.sequence)",
            (person_id,),
        )
        return frozenset(str(row[0]) for row in rows)

    @override
    async def resumed_after(self, person_id: str, sequence: int) -> frozenset[str]:
        rows = await self._read(
            f"SELECT b.month {APPROVED_RESUMPTIONS} AND b.person_id=? AND b.sequence > ?",
            (person_id, sequence),
        )
        return frozenset(str(row[0]) for row in rows)

    @override
    async def get_overpayment(self, task_id: str) -> OverpaymentRow | None:
        return await self._read_first(
            OverpaymentRow, recovery.SELECT_OVERPAYMENT + " WHERE o.task_id=?", (task_id,)
        )

    @override
    async def deadlines_due(
        self, *, remind_from: float, now: float, limit: int
    ) -> list[DeadlineRow]:
        return await self._read_all(
            DeadlineRow,
            # escalated unreminded is done: it held later rows out of every batch (a sweep
            # finding only such rows stops)
            deadlines.SELECT + " WHERE resolved_at IS NULL AND escalated_at IS NULL AND"
            " (reminded_at IS NULL AND due_at <= ? OR due_at < ?) ORDER BY due_at LIMIT ?",
            (remind_from, now, limit),
        )

    @override
    async def list_deadlines(
        self, page: PageQuery[str], *, overdue_at: float | None = None
    ) -> list[DeadlineRow]:
        return await self._read_all(
            DeadlineRow,
            *_DEADLINES.page(page, ("resolved_at IS NULL", ()), _given("due_at<?", overdue_at)),
        )

    @override
    async def get_biometrics(self, person_id: str) -> list[BiometricRow]:
        return await self._read_all(BiometricRow, biometrics.SELECT, (person_id,))

    @override
    async def failed_face_attempts(self, person_id: str) -> int:
        rows = await self._read(biometrics.FAILED_FACE_ATTEMPTS, (person_id, person_id))
        return int(str(rows[0][0]))

    @override
    async def get_rating(self, rating: int) -> RatingRow | None:
        return await self._read_first(RatingRow, ratings.SELECT + " WHERE r.sequence=?", (rating,))

    @override
    async def list_ratings(
        self, *, open_follow_ups: bool, after: int, limit: int, area: AreaScope | None = None
    ) -> list[RatingRow]:
        page = PageQuery(after, limit, area=area)
        follow_up_open = ("f.due_at IS NOT NULL AND f.rectified_at IS NULL", ())
        return await self._read_all(
            RatingRow, *_RATINGS.page(page, follow_up_open if open_follow_ups else None)
        )

    @override
    async def list_recoveries(self, task_id: str) -> list[RecoveryRow]:
        return await self._read_all(RecoveryRow, recovery.SELECT_RECOVERIES, (task_id,))

    @override
    async def list_overpayments(
        self, page: PageQuery[str], *, status: str | None = None
    ) -> list[OverpaymentRow]:
        return await self._read_all(
            OverpaymentRow, *_OVERPAYMENTS.page(page, _given("b.recovery_status=?", status))
        )

    @override
    async def compliance_inputs(self, period: str) -> tuple[set[str], dict[str, datetime]]:
        reported: set[str] = set()
        for county, village in await self._read(
            "SELECT DISTINCT county, village FROM ledger"  # the hub's own: no unit's report
            " WHERE message_type='eligibility_report/v1' AND period=? AND sender<>?",
            (period, MACHINE_REPORTER),
        ):
            reported.update(code for code in (county, village) if code)  # type: ignore[misc]
        zero: dict[str, datetime] = {}
        for county, village, received in await self._read(
            "SELECT county, village, min(received_at) FROM ledger"
            " WHERE message_type='zero_report/v1' AND period=? GROUP BY county, village",
            (period,),
        ):
            zero[str(village or county)] = datetime.fromisoformat(str(received))
        return reported, zero

    async def pending_notices(self, limit: int) -> list[tuple[str, str, str, str]]:
        """Notices not yet sent: (notice id, person id, kind, text), oldest first."""
        rows = await self._read(
            "SELECT notice_id, person_id, kind, text FROM notices WHERE sent_at IS NULL"
            " ORDER BY sequence, notice_id LIMIT ?",
            (limit,),
        )
        return [(str(a), str(b), str(c), str(d)) for a, b, c, d in rows]

    async def audit_entries(self, after: int, limit: int) -> list[AuditEntry]:
        """Audit links after ``after``, in order."""
        return await self._read_all(
            AuditEntry,
            "SELECT seq, at, action, subject, actor, digest, prev_hash, hash FROM audit"
            " WHERE seq>? ORDER BY seq LIMIT ?",
            (after, limit),
        )

    async def audit_checkpoints(self) -> list[tuple[int, str, str]]:
        """Signed checkpoints: (audit seq, head hash, JWS)."""
        rows = await self._read("SELECT audit_seq, hash, jws FROM audit_checkpoints ORDER BY 1", ())
        return [(int(str(s)), str(h), str(j)) for s, h, j in rows]

    async def evidence_stored_by(self, digest: str, sender: str) -> bool:
        """Tell whether ``sender`` uploaded the evidence ``digest`` (its audit link).

        Read through the ``audit_evidence`` index: a coordinator's phone asks this on
        every evidence download, and the audit chain is as long as the ledger.
        """
        rows = await self._read(EVIDENCE_STORED_BY.format(actor="?") + " LIMIT 1", (digest, sender))
        return bool(rows)


_TASK_SELECT: Final = "SELECT task_id, snapshot, version, changed_seq FROM tasks"

# A task's region is its village, else its county: a village code names that village's
# tasks only, not every task of its county; a deadline's region is its task's.
_TASKS: Final = Listing(_TASK_SELECT, "changed_seq")
_DEADLINES: Final = Listing(deadlines.SELECT, "task_id")
_OVERPAYMENTS: Final = Listing(
    recovery.SELECT_OVERPAYMENT, "o.task_id", county="o.county", village=None
)
_RATINGS: Final = Listing(ratings.SELECT, "r.sequence", county="r.area", village=None)


def _given(sql: str, value: object) -> Condition | None:
    """``sql`` with ``value`` as its one parameter; no condition when the filter was not
    given (``None``)."""
    return None if value is None else (sql, (value,))


__all__ = ["GROUPINGS", "LedgerReads", "RecordKind"]
