"""Moving a confirmed death earlier (更正死亡日期): when a record opens an amendment, and
what approving it changes.

A termination for death takes effect on the confirmed date; the months paid
after that month are recovered (:mod:`certhub.hub.rules.disposal`). A record that
arrives later — a department's direct evidence through the comparison, or an
approved local report — may date the death in an earlier month. It changes the
money only then: a record in the same month or later is linked to the closed
history, as before. An earlier one opens an amendment for people to decide, one
at a time per person; while it is open, a record dating the death earlier still
is refused (``conflict``: decide the open one first, the record is sent again),
one dating it no earlier than the open amendment adds nothing and is linked.

Approving the amendment moves the termination's event date and effective date to
the earlier day, and the months payable under the old date but not under the new
— the month after the new death month through the old death month — that were
paid (through the roster's ``paid_through``, or back-paid by an approved
restoration) and are not recovered yet become an overpayment, one per run of
months (:func:`~certhub.hub.rules.disposal.overpaid`, with the old date as its
end): confirmed 2026-10-15 with 2026-11..12 = 476.00 recovered, an amendment to
2026-06-20 recovers 2026-07..10 = 952.00 more.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from certhub.hub.rules.comparison import MACHINE_REPORTER
from certhub.hub.rules.disposal import Disposal, overpaid
from certhub.hub.rules.months import month_index
from certhub.schemas import (
    ActorRef,
    BenefitRecord,
    Overpayment,
    Refusal,
    TaskKind,
    Termination,
    TerminationAmendment,
    VerificationTask,
    birth_date_of,
)

__all__ = ["Amended", "RecordAction", "amend", "earlier_month", "record_action", "resting_on"]


class RecordAction(StrEnum):
    """What a record about a person whose death the hub confirmed does."""

    LINK = "link"  # linked to the closed history: no money changes
    AMEND = "amend"  # an amendment opened for people to decide


def earlier_month(than: date, day: date) -> bool:
    """Whether ``day`` falls in a month before ``than``'s (a day earlier in the same month
    changes nothing: benefits stay payable for the month of the event)."""
    return month_index(day) < month_index(than)


def record_action(
    in_force: Termination, reason: str, reported: date, open_amendment: date | None
) -> RecordAction:
    """What a record of ``reason`` dated ``reported`` does to the termination ``in_force``,
    with ``open_amendment`` the date of the person's amendment under review, if any.

    Raises:
        Refusal: ``conflict`` — an amendment is open and the record dates the death in a
            month before the one it proposes: decide that amendment first.
    """
    if in_force.reason is not TaskKind.death or reason != TaskKind.death:
        return RecordAction.LINK
    if not earlier_month(in_force.event_date, reported):
        return RecordAction.LINK
    if open_amendment is None:
        return RecordAction.AMEND
    if earlier_month(open_amendment, reported):
        raise Refusal(
            "conflict",
            f"an amendment of this death (to {open_amendment.isoformat()}) is under review; "
            f"decide it before a record dating the death {reported.isoformat()}",
        )
    return RecordAction.LINK


@dataclass(frozen=True, slots=True)
class Amended:
    """What an approved amendment changes: the termination re-dated, the overpayments."""

    termination: Termination
    overpayments: tuple[Overpayment, ...]

    @property
    def recovered_months(self) -> tuple[str, ...]:
        """Every month the overpayments recover, ``YYYY-MM``."""
        return Disposal(overpayments=self.overpayments).recovered_months


def amend(
    in_force: Termination,
    amendment: TerminationAmendment,
    *,
    task: VerificationTask,
    roster: BenefitRecord | None,
    recovered: Collection[str],
    back_paid: Collection[str],
    decided_by: ActorRef,
    at: datetime,
    item_id: int,
) -> Amended:
    """The termination ``in_force`` moved to ``amendment``'s date, approved as item
    ``item_id``; the months it makes overpaid (``recovered`` and ``back_paid`` as for
    :func:`~certhub.hub.rules.disposal.dispose`).

    Raises:
        Refusal: ``conflict`` — the termination in force is not the one the amendment
            names (its task or date changed): reject the amendment;
            ``task-transition-invalid`` — the new date is before the person's birth.
    """
    if (in_force.task_id, in_force.event_date) != (amendment.task_id, amendment.event_date):
        raise Refusal(
            "conflict",
            f"the termination in force (task {in_force.task_id}, {in_force.event_date}) is "
            f"not the one amendment {item_id} moves; reject it",
        )
    new = amendment.amended_event_date
    if new < birth_date_of(task.person.id_number):
        raise Refusal("task-transition-invalid", "the amended date is before the birth date")
    overpayments = overpaid(task, new, roster, recovered, back_paid, until=in_force.event_date)
    termination = in_force.model_copy(
        update={
            "event_date": new,
            "effective_from": new,
            "decided_by": decided_by,
            "decided_at": at,
            "remarks": (
                f"death date amended from {in_force.event_date.isoformat()} to "
                f"{new.isoformat()} ({amendment.source}; amendment {item_id} approved)"
            )[:1000],
        }
    )
    return Amended(Termination.model_validate(termination.model_dump()), overpayments)


def resting_on(amendment: TerminationAmendment) -> str | None:
    """The record ``amendment`` rests on as a task names its sources: a person's report by
    its item id, the comparison's report by its message id (None: neither).

    Read from ``rests_on``; ``source`` is words for people, never parsed — except in an
    amendment signed before ``rests_on`` was added, whose ``source`` the hub wrote then as
    ``report item <item> (…)`` or ``adapter:comparison <message id> (…)``: approved, the
    termination in force rests on that record, so it is read (rule 7: a report approved
    at two levels is never voided by a department's withdrawal).
    """
    if amendment.rests_on is not None:
        return amendment.rests_on.id
    words = amendment.source.split()
    if words[:2] == ["report", "item"] and len(words) > 2:
        return words[2]
    if words[:1] == [MACHINE_REPORTER] and len(words) > 1:
        return words[1]
    return None
