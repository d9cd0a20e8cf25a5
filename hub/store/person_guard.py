"""What a money planner read of one person, checked again inside the write's transaction.

A message is planned from the ledger (awaited reads), then appended by the group commit;
another request for the same person may commit in between. Two such pairs decide money:

- a task confirmation counts the overpaid months from the person's **roster entry** (its
  ``paid_through``), and
- a roster entry adds the months it shows paid after a termination or suspension the hub
  signed, found through the person's **closure** and **confirmed tasks**, and
- a restoration's approval (staff's, or of the hub's proposal after a voided termination)
  pays back on the roster entry, and only while no **report** of the person is under
  review and no **task** of the person is open.

Planned at once, each on a ledger without the other, both committed: the months the
entry showed paid after the event were never recovered (238.00 a month: died in M-3,
confirmed while paid through M-2 = 238.00, an entry paid through M0 in flight: 476.00
lost, whichever committed first), and a restoration was approved over a report filed
meanwhile. :class:`PersonGuard` carries what the planner read of them; the store checks it
first in the message's transaction
(:func:`~certhub.hub.store.writes.plan`) and refuses the message (``conflict``, nothing
stored) when either changed: its sender retries and plans on what committed.

The roster entry is compared as stored (its snapshot bytes: an import's compact form or a
push's JSON), so an entry of the same ``as_of`` rewritten counts as a change; the confirmed
tasks by the latest ``changed_seq`` among them (``tasks_confirmed`` serves it), which moves
with every task confirmed, re-signed or leaving ``confirmed``; the closure by the task it
names (a restoration approved over a voided termination lifts it, no task changing); the
reports by the latest one's ledger sequence (``ledger_reports_person``: a decision on a
report changes its item, which can only lift a hold); the open tasks by the latest
``changed_seq`` among them (``tasks_one_open``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Protocol

from certhub.hub.store.sql_transport import SqlReads

__all__ = [
    "CERTIFIED_DUE",
    "CLOSED_BY",
    "GUARD_READ",
    "LAST_CONFIRMED",
    "LAST_OPENED",
    "LAST_REPORTED",
    "ROSTER_STORED",
    "UNDER_REVIEW",
    "CertifiedGuard",
    "PersonGuard",
    "PersonGuardReads",
    "PersonGuards",
    "certified_checks",
    "guard_checks",
]

ROSTER_STORED: Final = "SELECT snapshot FROM roster WHERE person_id=?"
CLOSED_BY: Final = "SELECT task_id FROM closed_benefits WHERE person_id=?"
LAST_CONFIRMED: Final = (
    "SELECT max(changed_seq) FROM tasks WHERE person_id=? AND status='confirmed'"
)
LAST_OPENED: Final = (
    "SELECT max(changed_seq) FROM tasks WHERE person_id=? AND status IN ('open', 'in_progress')"
)
LAST_REPORTED: Final = (
    "SELECT max(sequence) FROM ledger WHERE person_id=? AND message_type='eligibility_report/v1'"
)
_PARTS: Final = (ROSTER_STORED, CLOSED_BY, LAST_CONFIRMED, LAST_OPENED, LAST_REPORTED)
GUARD_READ: Final = "SELECT " + ", ".join(f"({part})" for part in _PARTS)
"""All in one read: a planner sees one state of them (two reads could straddle a commit)."""


@dataclass(frozen=True, slots=True)
class PersonGuard:
    """A person's roster entry as stored, the task of the hub's closure of the benefit, the
    latest ``changed_seq`` of the person's confirmed tasks and of the open ones, and the
    ledger sequence of the latest report about the person (each None: none), as a planner
    read them before its other reads."""

    person_id: str
    roster: bytes | None
    closed: str | None
    confirmed: int | None
    opened: int | None = None
    reported: int | None = None


class PersonGuards(Protocol):
    """The read a money planner guards its plan with."""

    async def person_guard(self, person_id: str) -> PersonGuard:
        """What the ledger holds of ``person_id``'s roster entry, closure, tasks and reports
        now."""
        ...


class PersonGuardReads(SqlReads):
    """:class:`PersonGuards` in portable SQL; the dialect provides ``_read``."""

    async def person_guard(self, person_id: str) -> PersonGuard:
        """What the ledger holds of ``person_id``'s roster entry, closure, tasks and reports
        now."""
        row = (await self._read(GUARD_READ, (person_id,) * len(_PARTS)))[0]
        roster, closed, *marks = row
        stored = None if roster is None else bytes(roster)  # type: ignore[call-overload]
        confirmed, opened, reported = (None if m is None else int(str(m)) for m in marks)
        task = None if closed is None else str(closed)
        return PersonGuard(person_id, stored, task, confirmed, opened, reported)


def guard_checks(guard: PersonGuard) -> list[tuple[str, tuple[object, ...], object]]:
    """(query, parameters, the value it must still give) for each part of ``guard``."""
    person = (guard.person_id,)
    return [
        (ROSTER_STORED, person, guard.roster),
        (CLOSED_BY, person, guard.closed),
        (LAST_CONFIRMED, person, guard.confirmed),
        (LAST_OPENED, person, guard.opened),
        (LAST_REPORTED, person, guard.reported),
    ]


CERTIFIED_DUE: Final = "SELECT due_month FROM register_people WHERE person_id=?"
UNDER_REVIEW: Final = (
    "SELECT ledger.sequence FROM ledger JOIN items ON items.item_id = ledger.sequence"
    " WHERE ledger.person_id = ? AND ledger.message_type = 'certification_event/v1'"
    " AND ledger.outcome = 'certified' AND items.status IN ('received', 'accepted')"
    " ORDER BY ledger.sequence LIMIT 1"
)
"""The register's ``certification_under_review`` (register_reads), as a check reads it."""


@dataclass(frozen=True, slots=True)
class CertifiedGuard:
    """What a suspension proposal's approval read of the pensioner's certifications: the
    register's due month and the first passed certification under review (each None: none).

    The approval suspends for non-certification only while the due month is the proposal's
    and no certification awaits review; a certification committing between its reads and
    its commit moves one of them (a certification counted moves the due month, one under
    review opens an item). Planned at once, both committed, a pensioner certified that day
    was suspended (not_certified from the 1st of the month after the due month: 238.00 a
    month stopped until a restoration).

    A restoration proposal's approval carries it too, the other way round: it restores on a
    certification that counts, and a 免办 one withdrawn meanwhile (its department's void)
    moves the due month back: refused, no back pay without proof of life."""

    person_id: str
    due: int | None
    under_review: int | None


def certified_checks(guard: CertifiedGuard) -> list[tuple[str, tuple[object, ...], object]]:
    """(query, parameters, the value it must still give) for each part of ``guard``."""
    person = (guard.person_id,)
    return [(CERTIFIED_DUE, person, guard.due), (UNDER_REVIEW, person, guard.under_review)]
