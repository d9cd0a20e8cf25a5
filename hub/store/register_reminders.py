"""Certification reminders: one SMS per open reminder slot of a due month, counted in the register.

A pensioner gets at most ``per_cycle`` reminders for one due month: slot ``k``
opens ``per_cycle - k`` months before the due month (with two, one the month
before and one in the due month itself). The sweep that queues a reminder
first claims its slot on the person's register row (``reminded_for`` = the due
month, ``reminders`` = the slot); the notice and its SMS delivery are written
only if the claim changed the row, in the same transaction, so two sweeps
never send the same reminder and a missed slot is never sent late on top of
the next one. A certification moves the due month: the count starts again.

A verification that held a pensioner's reminders, cleared late, moves the day they are
liable to suspension and so the month by whose end they must certify
(:func:`~certhub.hub.register.reminders.reminder_deadline`): the slots open before that
month instead, still counted under the due month (reminders sent before the hold count).
"""

from __future__ import annotations

from typing import Final

from certhub.hub.store import outbox
from certhub.hub.store.effects import NoticeWrite
from certhub.hub.store.writes import NOTICE_INSERT, Op, Run, RunMany

__all__ = ["CLAIM_REMINDER", "reminder_ops"]


CLAIM_REMINDER: Final = (
    "UPDATE register_people SET reminded_for = ?, reminders = ?"
    " WHERE person_id = ? AND due_month = ? AND roster_status = 'active'"
    " AND NOT EXISTS (SELECT 1 FROM closed_benefits AS cb"
    " WHERE cb.person_id = register_people.person_id)"
    " AND (reminded_for IS NULL OR reminded_for <> ? OR reminders < ?)"
)
"""Count a reminder for the due month (a reminder slot), unless one was counted already."""


def reminder_ops(notice: NoticeWrite, *, due: int, slot: int, created_at: float) -> list[Op]:
    """Queue one certification reminder: claim its slot, then the notice and its SMS, audited.

    The claim is ``required``: when another sweep counted the slot first (or the
    person certified meanwhile, moving the due month), nothing else is written.
    """
    delivery = outbox.notice_delivery(notice)
    claim = (due, slot, notice.person_id, due, due, slot)
    audit = ("register_reminder", notice.notice_id, "hub")
    return [
        Run(CLAIM_REMINDER, claim, audit=audit, required=True),
        Run(NOTICE_INSERT, (notice.notice_id, notice.person_id, notice.kind, notice.text, 0)),
        RunMany(outbox.INSERT, [outbox.insert_params(delivery, 0, created_at)]),
    ]
