"""The closures a bulk's announced certifications are checked against, in its transaction.

One by one, a certification planned as announced (no death standing) carries the closure
its planner read (:class:`~certhub.hub.store.effects.ClosureRead`) and the write checks it
(:func:`~certhub.hub.store.writes.plan`): a death the county confirmed meanwhile refuses it
(``conflict``), and planned again it is held. A bulk cannot run that check statement by
statement, so it reads the closures of the batch's people once, in its transaction (a
primary-key probe of ``closed_benefits`` each), and :func:`~certhub.hub.store.bulk_append.
plan_bulk` refuses each message that finds another closure than its plan read - as it
refuses one whose :attr:`~certhub.hub.store.effects.Effects.absent` record is stored. A
:class:`~certhub.hub.store.bulk_append.Prefilled` message (the comparison's certifications
written out beforehand) is an announced certification planned on no closure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

from certhub.hub.store.base import Conflict
from certhub.hub.store.effects import Effects

__all__ = ["CLOSED_OF", "closed_meanwhile", "closed_sql", "closure_people", "closure_person"]

CLOSED_OF: Final = "SELECT person_id, task_id FROM closed_benefits WHERE person_id = ANY(?::text[])"
"""PostgreSQL's read of the closures of a list of people (one index probe each)."""


def closed_sql(count: int) -> str:
    """The closures of ``count`` people, ``?`` placeholders (SQLite)."""
    marks = ",".join("?" * count)
    return f"SELECT person_id, task_id FROM closed_benefits WHERE person_id IN ({marks})"


def closure_person(effects: Effects | None, person: str | None) -> str | None:
    """Whose closure a bulk's message checks: of its ``effects``' closure read, or, written
    out beforehand (``effects`` None), its ``person``'s; None: none."""
    if effects is None:
        return person
    return None if effects.closure_read is None else effects.closure_read.person_id


def closure_people(planned: Iterable[tuple[Effects | None, str | None]]) -> list[str]:
    """The people whose closures a bulk reads: of each message's (effects, person) - its
    closure read, or written out beforehand (effects None) its person's."""
    people = (closure_person(effects, person) for effects, person in planned)
    return [person for person in people if person is not None]


def closed_meanwhile(
    effects: Effects | None,
    person: str | None,
    closed: Mapping[str, str],
    known: Mapping[tuple[str, str], object],
) -> Conflict | None:
    """The refusal of a bulk's message (its ``effects``, or None when written out beforehand:
    planned on no closure of ``person``) if a record its plan found absent is ``known`` now
    (stored before the batch, read in its transaction, or by a message of it), or the closure
    of its person in ``closed`` (read in the bulk's transaction: person to task) is not what
    its plan read; None if neither."""
    for gone in () if effects is None else effects.absent:
        if (gone.sender, gone.message_id) in known:
            return Conflict("conflict", f"{gone.message_id!r} of {gone.sender} recorded meanwhile")
    if (whose := closure_person(effects, person)) is None:
        return None
    read = None if effects is None or effects.closure_read is None else effects.closure_read
    if closed.get(whose) == (None if read is None else read.task_id):
        return None
    return Conflict("conflict", "the person's benefit changed meanwhile; retry")
