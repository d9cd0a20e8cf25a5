"""The verifications that held, or hold, a pensioner's certification reminders.

A death, imprisonment, disappearance or loss of nationality reported of a pensioner holds
their reminders while it is being verified (:data:`~certhub.hub.rules.notices.REMINDER_HOLDS`):
the report under review, then its task open or in progress. Each such verification is read
with when it began (the report's ledger time) and, found alive, when it cleared them (the
task cleared: the ledger time of its last change, ``changed_seq``; the report rejected: of
the latest decision naming its item after it); the register's liability to suspension
reads them (:func:`~certhub.hub.rules.cycle.held_liability`). A task comes from a report
only (``task-<the report's item or message id>``:
:func:`~certhub.hub.rules.tasks.task_for_report`), so both are found through the person's
reports, by key (``ledger_reports_person``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final, Protocol

from certhub.hub.rules.notices import REMINDER_HOLDS
from certhub.hub.store.sql_transport import SqlReads

__all__ = ["HELD_BEFORE", "Hold", "HoldClearanceReads", "HoldClearances"]

Hold = tuple[datetime, datetime | None]
"""A verification holding reminders: when it began, when it cleared them (None: still on)."""

_HOLDS: Final = ", ".join(f"'{kind}'" for kind in sorted(REMINDER_HOLDS))
HELD_BEFORE: Final = (
    "EXISTS (SELECT 1 FROM ledger AS hl WHERE hl.person_id = register_people.person_id"
    f" AND hl.message_type = 'eligibility_report/v1' AND hl.reason IN ({_HOLDS}))"
)
"""A loss of eligibility of a :data:`~certhub.hub.rules.notices.REMINDER_HOLDS` kind was
reported of the register row's person (by key: ``ledger_reports_person``): its verification
may have held their reminders and, cleared late, moved their deadline past the due month.
Only a filter on the people the reminders' sweep reads past their due month: which
verification held them and when it cleared them is read for those (:class:`HoldClearances`)."""
_REPORTS: Final = " WHERE rl.person_id IN ({people}) AND rl.message_type = 'eligibility_report/v1'"
_TASKS: Final = (
    "SELECT rl.person_id, rl.received_at, ct.status, cl.received_at"
    " FROM ledger AS rl JOIN tasks AS ct"
    " ON ct.task_id IN ('task-' || CAST(rl.sequence AS TEXT), 'task-' || rl.message_id)"
    " JOIN ledger AS cl ON cl.sequence = ct.changed_seq"
    + _REPORTS
    + f" AND ct.kind IN ({_HOLDS}) AND ct.status IN ('open', 'in_progress', 'cleared')"
)
_UNDECIDED_OR_REJECTED: Final = (
    "SELECT rl.person_id, rl.received_at, ri.status, CASE WHEN ri.status = 'rejected' THEN"
    " (SELECT max(ledger.received_at) FROM ledger WHERE ledger.kind = 'decision'"
    " AND ledger.sequence > rl.sequence AND {subject} = rl.sequence) END"
    " FROM ledger AS rl JOIN items AS ri ON ri.item_id = rl.sequence"
    + _REPORTS
    + f" AND rl.reason IN ({_HOLDS}) AND ri.status IN ('received', 'accepted', 'rejected')"
)
_CLEARED: Final = frozenset({"cleared", "rejected"})


class HoldClearances(Protocol):
    """The verifications holding, or that held, people's reminders."""

    async def reminder_holds(self, person_ids: Sequence[str]) -> dict[str, list[Hold]]:
        """Each verification of a :data:`~certhub.hub.rules.notices.REMINDER_HOLDS` kind of
        each of ``person_ids`` (a page of a list, at most a few hundred) still on or cleared
        (found alive): when it began and when it cleared (None: still on); a person with
        none is left out."""
        ...


class HoldClearanceReads(SqlReads):
    """:class:`HoldClearances` in portable SQL; the dialect provides ``_read`` and the
    decision's item (``_DECISION_SUBJECT``, :class:`~certhub.hub.store.pull_reads.PullReads`)."""

    _DECISION_SUBJECT: str

    async def reminder_holds(self, person_ids: Sequence[str]) -> dict[str, list[Hold]]:
        """The verifications holding, or that held, the reminders of ``person_ids``."""
        holds: dict[str, list[Hold]] = {}
        if not person_ids:
            return holds
        people = ", ".join("?" for _ in person_ids)
        tasks = _TASKS.format(people=people)
        reports = _UNDECIDED_OR_REJECTED.format(people=people, subject=self._DECISION_SUBJECT)
        rows = await self._read(tasks, tuple(person_ids))
        rows += await self._read(reports, tuple(person_ids))
        for person, began, status, cleared in rows:
            on = _at(cleared or began) if status in _CLEARED else None
            holds.setdefault(str(person), []).append((_at(began), on))
        return holds


def _at(value: object) -> datetime:
    """A ledger time (ISO 8601 text)."""
    return datetime.fromisoformat(str(value))
