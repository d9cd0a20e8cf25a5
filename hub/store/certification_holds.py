"""Who the comparison must not certify (免办), as the ledger knows it when it records.

The same SQL on both dialects (mixed into :class:`~certhub.hub.store.queries.LedgerReads`).
A person is held back by

* ``task_open`` — a verification task of any kind open or in progress (every kind
  suspects a loss of eligibility: death, missing, imprisonment, ...);
* ``benefit_closed`` — the hub's termination of the benefit stands — not while a
  restoration of it is under review (the departments withdrew what the death rested on;
  the register reads the person as alive and due or overdue, and the certification the
  restoration waits for is asked of them; its task confirmed and a roster applying it do
  not hold them either). A proposal older than the closure restores nothing (a true
  death confirmed after the void took the closure): it holds as before;
* ``task_confirmed`` — a task confirmed with no approved restoration resuming the
  benefit after it (a suspension the hub decided and nobody lifted) — or with it, in the
  same transaction: approving the hub's proposal of a voided termination claims the month
  payment resumes in and re-signs the task under one ledger sequence (with ``>`` the person
  restored was held for ever, never certified by the comparison again);
* ``report_under_review`` — an eligibility report about the person (death, imprisonment,
  ...) filed and not yet approved or rejected: its task opens only on the county's
  approval, and until then the report may be the one that finds them dead;
* ``roster_terminated`` — the province's latest roster entry says ``terminated`` (its own
  record of the death, say, after the month's roster file was drawn): nobody is told a
  benefit that ended needs nothing done, and the "seen alive" record may be someone
  else's use of the dead person's card.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Protocol

from certhub.hub.store.restoring import restoring_closure
from certhub.hub.store.sql_transport import SqlReads

__all__ = [
    "APPROVED_RESUMPTIONS",
    "HOLD_KINDS",
    "WITHDRAWN_AFTER",
    "CertificationHoldReads",
    "CertificationHolds",
]

HOLD_KINDS: Final = (
    "task_open",
    "benefit_closed",
    "task_confirmed",
    "report_under_review",
    "roster_terminated",
)
"""The ledger's reasons, in the order one person's is chosen (the first found)."""

APPROVED_RESUMPTIONS: Final = (
    "FROM benefit_months b LEFT JOIN items i ON b.source = CAST(i.item_id AS TEXT)"
    " WHERE b.purpose = 'resumed' AND (i.status IS NULL OR i.status = 'approved')"
)
"""The months restorations resume payment in, approved ones only (staff's items approved,
the hub's signed on a proposal's approval): add the person and the sequence after which."""

SUSPENSION_PROPOSED: Final = (
    "SELECT l.person_id, i.item_id FROM items i JOIN ledger l ON l.sequence = i.item_id"
    " WHERE i.kind = 'suspension' AND i.status <> 'rejected' AND i.item_id > ?"
)
"""The people the register's suspension proposals after a ledger sequence name, with each
proposal's sequence: approved ones and those the county may still approve (the items'
primary key: only the proposals after it are read)."""

WITHDRAWN_AFTER: Final = (
    "SELECT l.sequence FROM ledger l WHERE l.person_id = ?"
    " AND l.message_type = 'certification_event/v1' AND l.outcome = 'certified'"
    " AND l.sequence > ? AND NOT EXISTS (SELECT 1 FROM items i WHERE i.item_id = l.sequence)"
    " AND NOT EXISTS (SELECT 1 FROM register_certifications rc WHERE rc.sequence = l.sequence)"
    " ORDER BY l.sequence LIMIT 1"
)
"""A person's passed certification recorded after a sequence that counted when recorded (no
item: an app, a terminal, the comparison's 免办; a staff-assisted one counts only once
approved) and no longer counts in the register: withdrawn (its department voided what a 免办
one rested on). By the ``ledger_certifications_person`` index."""

_CHUNK: Final = 400  # ID numbers a query asks about (five lists of them: 2,000 parameters)


def _sql(marks: str) -> str:
    return f"""
    SELECT person_id, 0, kind || ' task ' || task_id || ' ' || status FROM tasks
    WHERE person_id IN ({marks}) AND status IN ('open', 'in_progress')
    UNION ALL
    SELECT person_id, 1, 'benefit closed: ' || reason || ' (task ' || task_id || ')'
    FROM closed_benefits c
    WHERE person_id IN ({marks}) AND NOT {restoring_closure("c.person_id")}
    UNION ALL
    SELECT t.person_id, 2, t.kind || ' task ' || t.task_id || ' confirmed' FROM tasks t
    WHERE t.person_id IN ({marks}) AND t.status = 'confirmed'
    AND NOT EXISTS (SELECT 1 {APPROVED_RESUMPTIONS}
        AND b.person_id = t.person_id AND b.sequence >= t.changed_seq)
    AND NOT {restoring_closure("t.person_id", "t.task_id")}
    UNION ALL
    SELECT l.person_id, 3,
        coalesce(l.reason, 'eligibility') || ' report ' || CAST(l.sequence AS TEXT) || ' '
        || i.status || ', under review'
    FROM ledger l JOIN items i ON i.item_id = l.sequence
    WHERE l.person_id IN ({marks}) AND l.message_type = 'eligibility_report/v1'
    AND i.status IN ('received', 'accepted')
    UNION ALL
    SELECT person_id, 4, 'roster: benefit terminated by the province' FROM register_people
    WHERE person_id IN ({marks}) AND roster_status = 'terminated'
    AND NOT {restoring_closure("register_people.person_id")}
    ORDER BY 1, 2, 3"""


class CertificationHolds(Protocol):
    """The comparison's question to the ledger before it certifies anyone."""

    async def certification_holds(self, person_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        """Each of ``person_ids`` the ledger holds back: (one of :data:`HOLD_KINDS`, why)."""
        ...

    async def suspension_proposed(self, after: int = 0) -> tuple[frozenset[str], int]:
        """Whom a proposal to suspend them for non-certification after the ledger sequence
        ``after`` names, approved or under review (their certification may end the
        suspension, or find it signed while in flight: the planner's to decide), and the
        last such proposal's sequence (``after`` when there is none)."""
        ...

    async def certification_withdrawn_after(self, person_id: str, sequence: int) -> int | None:
        """The ledger sequence of a passed certification of ``person_id`` recorded after
        ``sequence`` that counted and was withdrawn since (:data:`WITHDRAWN_AFTER`); None."""
        ...


class CertificationHoldReads(SqlReads):
    """:class:`CertificationHolds` in portable SQL over tasks, closures, resumptions, reports
    and the register's copy of the roster's status."""

    async def certification_holds(self, person_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        """Each of ``person_ids`` the ledger holds back: (one of :data:`HOLD_KINDS`, why)."""
        held: dict[str, tuple[str, str]] = {}
        for start in range(0, len(person_ids), _CHUNK):
            chunk = tuple(person_ids[start : start + _CHUNK])
            marks = ", ".join("?" for _ in chunk)
            for person, rank, why in await self._read(_sql(marks), chunk * len(HOLD_KINDS)):
                held.setdefault(str(person), (HOLD_KINDS[int(str(rank))], str(why)))
        return held

    async def suspension_proposed(self, after: int = 0) -> tuple[frozenset[str], int]:
        """Whom a suspension proposal after ``after`` names, approved or under review, and
        the last one's sequence (a run reads them all once, then those new since a batch)."""
        found = await self._read(SUSPENSION_PROPOSED, (after,))
        last = max((int(str(row[1])) for row in found), default=after)
        return frozenset(str(row[0]) for row in found), last

    async def certification_withdrawn_after(self, person_id: str, sequence: int) -> int | None:
        """A passed certification of ``person_id`` after ``sequence`` since withdrawn."""
        rows = await self._read(WITHDRAWN_AFTER, (person_id, sequence))
        return int(str(rows[0][0])) if rows else None
