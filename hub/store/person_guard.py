"""What a money planner read of one person, checked again inside the write's transaction.

A message is planned from the ledger (awaited reads), then appended by the group commit;
another request for the same person may commit in between. Two such pairs decide money:

- a task confirmation counts the overpaid months from the person's **roster entry** (its
  ``paid_through``), and
- a roster entry adds the months it shows paid after a termination or suspension the hub
  signed, found through the person's **closure** and **confirmed tasks**.

Planned at once, each on a ledger without the other, both committed and the months the
entry showed paid after the event were never recovered (238.00 a month: died in M-3,
confirmed while paid through M-2 = 238.00, an entry paid through M0 in flight: 476.00
lost, whichever committed first). :class:`PersonGuard` carries what the planner read of
both; the store checks it first in the message's transaction
(:func:`~certhub.hub.store.writes.plan`) and refuses the message (``conflict``, nothing
stored) when either changed: its sender retries and plans on what committed.

The roster entry is compared as stored (its snapshot bytes: an import's compact form or a
push's JSON), so an entry of the same ``as_of`` rewritten counts as a change; the confirmed
tasks by the latest ``changed_seq`` among them (``tasks_confirmed`` serves it), which moves
with every task confirmed, re-signed or leaving ``confirmed``; the closure by the task it
names (a restoration approved over a voided termination lifts it, no task changing).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Protocol

__all__ = [
    "CLOSED_BY",
    "GUARD_READ",
    "LAST_CONFIRMED",
    "ROSTER_STORED",
    "PersonGuard",
    "PersonGuardReads",
    "PersonGuards",
    "guard_checks",
]

ROSTER_STORED: Final = "SELECT snapshot FROM roster WHERE person_id=?"
CLOSED_BY: Final = "SELECT task_id FROM closed_benefits WHERE person_id=?"
LAST_CONFIRMED: Final = (
    "SELECT max(changed_seq) FROM tasks WHERE person_id=? AND status='confirmed'"
)
GUARD_READ: Final = f"SELECT ({ROSTER_STORED}), ({CLOSED_BY}), ({LAST_CONFIRMED})"
"""All three in one read: a planner sees one state of them (two reads could straddle a commit)."""


@dataclass(frozen=True, slots=True)
class PersonGuard:
    """A person's roster entry as stored, the task of the hub's closure of the benefit, and
    the latest ``changed_seq`` of the person's confirmed tasks (each None: none), as a
    planner read them before its other reads."""

    person_id: str
    roster: bytes | None
    closed: str | None
    confirmed: int | None


class PersonGuards(Protocol):
    """The read a money planner guards its plan with."""

    async def person_guard(self, person_id: str) -> PersonGuard:
        """What the ledger holds of ``person_id``'s roster entry, closure and confirmed tasks
        now."""
        ...


class PersonGuardReads:
    """:class:`PersonGuards` in portable SQL; the dialect provides ``_read``."""

    async def _read(self, sql: str, params: tuple[object, ...]) -> list[tuple[object, ...]]:
        raise NotImplementedError  # the dialect's transport

    async def person_guard(self, person_id: str) -> PersonGuard:
        """What the ledger holds of ``person_id``'s roster entry, closure and confirmed tasks
        now."""
        ((roster, closed, confirmed),) = await self._read(GUARD_READ, (person_id,) * 3)
        stored = None if roster is None else bytes(roster)  # type: ignore[call-overload]
        task = None if closed is None else str(closed)
        return PersonGuard(
            person_id, stored, task, None if confirmed is None else int(str(confirmed))
        )


def guard_checks(guard: PersonGuard) -> list[tuple[str, tuple[object, ...], object]]:
    """(query, parameters, the value it must still give) for each part of ``guard``."""
    person = (guard.person_id,)
    return [
        (ROSTER_STORED, person, guard.roster),
        (CLOSED_BY, person, guard.closed),
        (LAST_CONFIRMED, person, guard.confirmed),
    ]
