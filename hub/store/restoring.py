"""A closure under restoration review, as SQL: one definition for the register and the holds.

The hub's closure of a benefit (a death it confirmed) stands until a restoration's approval
lifts it. While a proposal to restore it is under review (received or accepted: the
departments withdrew what the death rested on) the person reads as alive: due or overdue
in the register, certifiable by the comparison. Only a proposal *newer than the closure*
restores it: a true death confirmed after the void takes the closure anew, and the
proposal still open from before restores nothing (money safety: that person is dead, never
due, never certified). A proposal to restore the hub's suspension for non-certification
(reason ``not_certified``) restores no termination. Found by key through
``ledger_restoration_proposals_person``.
"""

from __future__ import annotations

from typing import Final

__all__ = ["restoring_closure"]

_RESTORING_CLOSURE: Final = (
    "EXISTS (SELECT 1 FROM closed_benefits AS rc JOIN ledger AS rl ON rl.person_id ="
    " rc.person_id JOIN items AS ri ON ri.item_id = rl.sequence WHERE rc.person_id = {person}"
    "{task} AND rl.message_type = 'restoration_proposal/v1' AND rl.sequence > rc.sequence"
    " AND ri.status IN ('received', 'accepted') AND coalesce(rl.reason, '') <> 'not_certified')"
)


def restoring_closure(person: str, task: str = "") -> str:
    """Whether the closure of the SQL column ``person`` (the one by the task the SQL
    expression ``task`` names, if given) is under restoration review: an SQL condition."""
    return _RESTORING_CLOSURE.format(
        person=person, task=f" AND rc.task_id = {task}" if task else ""
    )
