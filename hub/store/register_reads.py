"""Read queries of the certification register, the same SQL on both dialects.

Every list is one indexed query over ``register_people``: which people it
holds is a condition on their roster status, due month and suspension date
(the due list one month at a time, so the (due month, ID number) index gives
the order);
the area is a prefix of the row's region code (its village code, else its
county's), so a list filter and a reader's area scope intersect into one prefix
before the query; pages run in ID-number order after a cursor, each one range of
an index (roster status, or the area's city, county, town or village code; then the ID
number: ``register_tables.REGISTER_PAGES``), never a sort of all the list's people.
Month arguments are month indexes (``year * 12 + month - 1``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Final, Protocol

from certhub.hub.rules.notices import REMINDER_HOLDS
from certhub.hub.store.certification_holds import APPROVED_RESUMPTIONS
from certhub.hub.store.hold_clearances import HELD_BEFORE
from certhub.hub.store.register_states import (
    CLOSED,
    NOT_COVERED,
    RESTORING,
    STATE,
    SUMMARY_FIELDS,
    TERMINATED,
    RegisterSummary,
)
from certhub.hub.store.rows import row_as

if TYPE_CHECKING:
    from certhub.hub.store.effects import NoticeWrite
    from certhub.hub.store.roster_import import RosterRange

__all__ = [
    "RESTORATIONS_BY_PERSON",
    "SUMMARY_FIELDS",
    "TERMINATED",
    "UNDER_VERIFICATION",
    "CertificationRegister",
    "PersonRegister",
    "RegisterCertificationRow",
    "RegisterHolds",
    "RegisterList",
    "RegisterQueries",
    "RegisterQuery",
]


class RegisterList(StrEnum):
    """The lists readers page through."""

    DUE = "due"  # active, due in month_from (the lists page through the months one by one)
    OVERDUE = "overdue"  # active, due month before month_from (never certified: no due month)
    SUSPENDED = "suspended"  # suspended, not covered by a certification on the day it began
    LONG_SUSPENDED = "long_suspended"  # suspended (any reason) since before ``before``
    PEOPLE = "people"  # everyone on the roster, optionally by name or ID-number ending


@dataclass(frozen=True, slots=True)
class RegisterQuery:
    """One page of one list: ``area`` an AreaScope prefix, 4, 6, 9 or 12 digits (None: all)."""

    kind: RegisterList
    after: str  # the last ID number of the previous page ("" for the first)
    limit: int
    area: str | None = None
    month_from: int = 0  # due: the month due in; overdue: due before it
    before: str = ""  # ISO date: long suspensions began before it
    name: str | None = None  # part of the name
    id_ending: str | None = None  # the last characters of the ID number


@dataclass(frozen=True, slots=True)
class PersonRegister:
    """One person's register row."""

    person_id: str
    area: str | None
    name: str | None
    roster_status: str | None
    suspended_since: str | None
    last_on: str | None
    last_method: str | None
    last_channel: str | None
    last_sequence: int | None
    record_sequence: int | None
    record_month: int | None
    due_month: int | None
    face_enrolled: bool = False
    finger_enrolled: bool = False  # a fingerprint or finger-vein model
    failed_face_attempts: int = 0  # since the last passed certification


@dataclass(frozen=True, slots=True)
class RegisterCertificationRow:
    """A passed certification and the certification of record it counts under."""

    sequence: int
    certified_on: str
    month: int
    method: str
    channel: str
    of_record: int


def _verifying(person: str) -> str:
    """What is verified of ``person`` (an SQL expression) that holds reminders
    (:data:`~certhub.hub.rules.notices.REMINDER_HOLDS`): the kind of a task open or in
    progress, the reason of a report under review (``ledger_reports_person``)."""
    return (
        f"SELECT vt.kind FROM tasks AS vt WHERE vt.person_id = {person}"
        f" AND vt.kind IN ({_HOLDS}) AND vt.status IN ('open', 'in_progress')"
        " UNION ALL SELECT vl.reason FROM ledger AS vl JOIN items AS vi"
        f" ON vi.item_id = vl.sequence WHERE vl.person_id = {person}"
        " AND vl.message_type = 'eligibility_report/v1'"
        f" AND vl.reason IN ({_HOLDS}) AND vi.status IN ('received', 'accepted')"
        f" UNION ALL {_stopped_by_task(person)}"
    )


def _stopped_by_task(person: str) -> str:
    """A task of ``person`` (an SQL expression) of a :data:`REMINDER_HOLDS` kind confirmed
    with no approved restoration resuming payment since — the comparison's
    ``task_confirmed``: the hub stopped the benefit itself (a suspension for imprisonment or
    a disappearance, whatever the roster says until the province applies it); its kind."""
    return (
        f"SELECT sc.kind || ' confirmed' FROM tasks AS sc WHERE sc.person_id = {person}"
        f" AND sc.kind IN ({_HOLDS}) AND sc.status = 'confirmed' AND NOT EXISTS (SELECT 1"
        f" {APPROVED_RESUMPTIONS} AND b.person_id = sc.person_id"
        " AND b.sequence >= sc.changed_seq)"
    )


_HOLDS: Final = ", ".join(f"'{kind}'" for kind in sorted(REMINDER_HOLDS))
# A loss of eligibility reported and still being verified, or confirmed and the hub's stop of
# the benefit standing: the person is not asked to certify (reminders: the sweep here, the
# send by reminder_held), as 免办 holds them (before, a confirmed prisoner was reminded).
UNDER_VERIFICATION: Final = f"EXISTS ({_verifying('register_people.person_id')})"
_HELD: Final = _verifying("?") + " LIMIT 1"
_STOPPED: Final = _stopped_by_task("?") + " LIMIT 1"
RESTORATIONS_BY_PERSON: Final = """
CREATE INDEX ledger_restoration_proposals_person ON ledger (person_id, sequence)
    WHERE message_type = 'restoration_proposal/v1'
"""
"""Schema step: a person's restoration proposals by key (the register's :data:`RESTORING`)."""
# How the person can certify now (hub.rules.biometrics): models enrolled, and failed face
# attempts since the last pass (the ledger's index of certification events by person).
_ROUTE: Final = (
    "EXISTS (SELECT 1 FROM biometric_enrolments AS b WHERE b.person_id ="
    " register_people.person_id AND b.modality = 'face' AND b.status = 'enrolled'),"
    " EXISTS (SELECT 1 FROM biometric_enrolments AS b WHERE b.person_id ="
    " register_people.person_id AND b.modality IN ('fingerprint', 'finger_vein')"
    " AND b.status = 'enrolled'),"
    " (SELECT count(*) FROM ledger AS l WHERE l.message_type = 'certification_event/v1'"
    " AND l.person_id = register_people.person_id AND l.reason = 'face'"
    " AND l.outcome = 'failed' AND l.sequence > coalesce(register_people.last_sequence, 0))"
)
_PERSON: Final = (
    f"SELECT person_id, area, name, {STATE},"
    " suspended_since, last_on, last_method, last_channel, last_sequence, record_sequence,"
    f" record_month, due_month, {_ROUTE} FROM register_people"
)

_REMINDED: Final = f"roster_status = 'active' AND NOT {CLOSED}"
_ACTIVE: Final = f"(({_REMINDED}) OR (roster_status IN ('active', 'terminated') AND {RESTORING}))"
_SUSPENDED: Final = f"roster_status = 'suspended' AND (NOT {CLOSED} OR {RESTORING})"
_REMINDERS_DUE: Final = (
    _PERSON + f" WHERE {_REMINDED} AND NOT {UNDER_VERIFICATION} AND ((due_month >= ?"
    " AND due_month <= ? AND (reminded_for IS NULL OR reminded_for <> due_month"
    " OR reminders < ? - due_month))"
    # due month passed, a slot left, reported: a verification may have held the reminders
    # and, cleared late, moved the deadline (the sweep reads it: reminder_deadline)
    " OR (due_month < ? AND (reminded_for IS NULL OR reminded_for <> due_month"
    f" OR reminders < ?) AND {HELD_BEFORE}))"
    " AND person_id > ? ORDER BY person_id LIMIT ?"
)
# A passed certification of the person still under review (counter, home visit, social
# organisation: counted once approved), found by the person's ID number wherever it was made
# (the ledger_certifications_person index), never by the region the event names.
_UNDER_REVIEW: Final = (
    "SELECT ledger.sequence FROM ledger JOIN items ON items.item_id = ledger.sequence"
    " WHERE ledger.person_id = ? AND ledger.message_type = 'certification_event/v1'"
    " AND ledger.outcome = 'certified' AND items.status IN ('received', 'accepted')"
    " ORDER BY ledger.sequence LIMIT 1"
)
_OVERDUE: Final = "(due_month IS NULL OR due_month < ?)"
# Those a restoration reads alive though terminated, by the few closures (coalesce: no index)
_BY_CLOSURES: Final = (
    "coalesce(roster_status, '') = 'terminated' AND person_id IN"
    f" (SELECT cb.person_id FROM closed_benefits AS cb) AND {RESTORING} AND {_OVERDUE}"
)
_LISTS: Final = {
    # one month at a time: an equality on the index's first column keeps ID-number order
    RegisterList.DUE: (f"{_ACTIVE} AND due_month = ?",),
    # _ACTIVE as two queries, the first an index range (its OR read all and sorted, a page)
    RegisterList.OVERDUE: (
        f"roster_status = 'active' AND (NOT {CLOSED} OR {RESTORING}) AND {_OVERDUE}",
        _BY_CLOSURES,
    ),
    RegisterList.SUSPENDED: (f"{_SUSPENDED} AND {NOT_COVERED}",),
    RegisterList.LONG_SUSPENDED: (f"{_SUSPENDED} AND suspended_since < ?",),
    RegisterList.PEOPLE: ("roster_status IS NOT NULL",),
}


def _where(query: RegisterQuery, condition: str) -> tuple[str, list[object]]:
    """One of the query's list's conditions with its area, search and cursor; parameters."""
    by_kind: dict[RegisterList, list[object]] = {
        RegisterList.DUE: [query.month_from],
        RegisterList.OVERDUE: [query.month_from],
        RegisterList.LONG_SUSPENDED: [query.before],
    }
    params = by_kind.get(query.kind, [])
    if query.area is not None:  # a prefix as an equality on the area's index (REGISTER_PAGES)
        column = f"substr(area, 1, {len(query.area)})"
        if condition is _BY_CLOSURES:  # its few rows tested, by no index
            column = f"coalesce({column}, '')"
        condition += f" AND {column} = ?"
        params.append(query.area)
    if query.name:
        condition += " AND name LIKE ? ESCAPE '\\'"
        escaped = query.name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params.append(f"%{escaped}%")
    if query.id_ending:  # digits and X only (checked by the caller)
        condition += " AND person_id LIKE ?"
        params.append("%" + query.id_ending)
    return condition + " AND person_id > ?", [*params, query.after]


class RegisterQueries(RegisterSummary):
    """The register's reads; the dialect provides ``_read`` (mixed into its reads)."""

    async def register_person(self, person_id: str) -> PersonRegister | None:
        """One person's register row, if the roster or a certification named them."""
        rows = await self._read(_PERSON + " WHERE person_id = ?", (person_id,))
        return row_as(PersonRegister, rows[0]) if rows else None

    async def register_certifications(self, person_id: str) -> list[RegisterCertificationRow]:
        """Every passed certification of a person, in ledger order, with its record."""
        rows = await self._read(
            "SELECT sequence, certified_on, month, method, channel, of_record"
            " FROM register_certifications WHERE person_id = ? ORDER BY sequence",
            (person_id,),
        )
        return [row_as(RegisterCertificationRow, row) for row in rows]

    async def certification_under_review(self, person_id: str) -> int | None:
        """The ledger sequence of a passed certification of ``person_id`` still under
        review (received or accepted), wherever it was made; None if there is none."""
        rows = await self._read(_UNDER_REVIEW, (person_id,))
        return int(str(rows[0][0])) if rows else None

    async def reminder_held(self, person_id: str) -> str | None:
        """What is verified of ``person_id`` that holds their reminders (a task's kind, a
        report's reason: :data:`UNDER_VERIFICATION`); None when nothing is."""
        rows = await self._read(_HELD, (person_id, person_id, person_id))
        return str(rows[0][0]) if rows else None

    async def stopped_by_task(self, person_id: str) -> str | None:
        """The kind of a confirmed imprisonment, disappearance (or death) of ``person_id``
        whose suspension (or closure) the hub decided and no approved restoration ended
        since (``"<kind> confirmed"``); None when there is none."""
        rows = await self._read(_STOPPED, (person_id,))
        return str(rows[0][0]) if rows else None

    async def register_page(self, query: RegisterQuery) -> list[PersonRegister]:
        """One page of a list, in ID-number order after ``query.after``."""
        rows: list[tuple[object, ...]] = []
        for condition in _LISTS[query.kind]:  # each ``limit`` rows, merged
            where, params = _where(query, condition)
            sql = f"{_PERSON} WHERE {where} ORDER BY person_id LIMIT ?"
            rows += await self._read(sql, (*params, query.limit))
        rows.sort(key=lambda row: str(row[0]))
        return [row_as(PersonRegister, row) for row in rows[: query.limit]]

    async def reminders_due(
        self, month: int, per_cycle: int, after: str, limit: int
    ) -> list[PersonRegister]:
        """Active people due in ``month`` or the next ``per_cycle - 1`` months whose latest
        open reminder slot is not counted yet, and those past their due month with a slot
        left whom a verification may have held (:data:`HELD_BEFORE`: the sweep reads their
        deadline), in ID-number order after ``after``; none of whom a loss of eligibility
        is being verified (:data:`UNDER_VERIFICATION`)."""
        params = (month, month + per_cycle - 1, month + per_cycle, month, per_cycle)
        rows = await self._read(_REMINDERS_DUE, (*params, after, limit))
        return [row_as(PersonRegister, row) for row in rows]


class CertificationRegister(Protocol):
    """What the register's readers ask of a ledger (:class:`RegisterQueries` is every
    ledger's)."""

    async def register_person(self, person_id: str) -> PersonRegister | None:
        """One person's register row, if the roster or a certification named them."""
        ...

    async def register_certifications(self, person_id: str) -> list[RegisterCertificationRow]:
        """Every passed certification of a person, in ledger order, with its record."""
        ...

    async def register_page(self, query: RegisterQuery) -> list[PersonRegister]:
        """One page of a list, in ID-number order after ``query.after``."""
        ...

    async def reminders_due(
        self, month: int, per_cycle: int, after: str, limit: int
    ) -> list[PersonRegister]:
        """People whose latest open reminder slot is not counted yet (see the implementation)."""
        ...

    async def register_summary(
        self, month: int, before: str, area: str | None, counted_from: int | None = None
    ) -> dict[str, int]:
        """People of an area in each state, and counted in a window (see the implementation)."""
        ...


class RegisterHolds(Protocol):
    """What holds a person's reminders and suspension proposals, as the register's sweeps
    and the procedure ask it (:class:`RegisterQueries` is every ledger's)."""

    async def certification_under_review(self, person_id: str) -> int | None:
        """A passed certification of the person still under review (see the implementation)."""
        ...

    async def reminder_held(self, person_id: str) -> str | None:
        """What is verified of the person that holds their reminders (see the implementation)."""
        ...

    async def stopped_by_task(self, person_id: str) -> str | None:
        """A confirmed task whose stop of the benefit stands (see the implementation)."""
        ...


class RegisterUpdates(Protocol):
    """The register's own writes: a roster import's batches and the certification reminders
    (:class:`~certhub.hub.store.register_writes.RegisterWriting` is every ledger's)."""

    async def import_roster(self, rows: Sequence[tuple[object, ...]] | RosterRange) -> None:
        """Write one batch of a roster import (hub/store/roster_import.py) in a group commit:
        its rows, or a range whose rows are built once the ledger knows who is current."""
        ...

    async def queue_reminder(self, notice: NoticeWrite, *, due: int, slot: int) -> bool:
        """Queue one certification reminder unless its slot was counted; whether it was."""
        ...
