"""A certification withdrawn from the register, committed with the void that withdraws it.

When a department withdraws every record a 免办 certification cites
(:mod:`certhub.hub.rules.exempt`), the planner folds the person's register again from the
certifications left (:func:`certhub.hub.rules.cycle.fold`) and hands the result here:
the certification's row is deleted, those left are linked to the records the fold names,
and the person's row takes the last certification left (day, method, channel), the record
of the current cycle and the due month — all None when none is left. The person's latest
certification, as the planner read it, is checked first: a certification committing
meanwhile refuses the void (``conflict``, nothing stored), planned again it is folded in.
Both dialects run the same statements (:func:`certhub.hub.store.writes.plan`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "DELETE",
    "LATEST",
    "PERSON",
    "RELINK",
    "RegisterWithdrawal",
    "person_params",
    "relink_params",
]


@dataclass(frozen=True, slots=True)
class RegisterWithdrawal:
    """The register after one certification withdrawn: ``sequence`` (its ledger record);
    ``latest`` the person's latest certification as read; ``links`` (certification, its
    record) of those left; ``last`` (sequence, day, method, channel) of the last left and
    ``record`` (sequence, month index) of the current cycle's, with ``due`` (month index),
    None when none is left."""

    person_id: str
    sequence: int
    latest: int
    links: tuple[tuple[int, int], ...]
    last: tuple[int, str, str, str] | None
    record: tuple[int, int] | None
    due: int | None


LATEST: Final = "SELECT max(sequence) FROM register_certifications WHERE person_id = ?"
"""The person's latest certification in the register (the guard)."""
DELETE: Final = "DELETE FROM register_certifications WHERE sequence = ? AND person_id = ?"
RELINK: Final = (
    "UPDATE register_certifications SET of_record = ? WHERE sequence = ? AND of_record <> ?"
)
PERSON: Final = (
    "UPDATE register_people SET last_sequence = ?, last_on = ?, last_method = ?,"
    " last_channel = ?, record_sequence = ?, record_month = ?, due_month = ?"
    " WHERE person_id = ?"
)


def person_params(w: RegisterWithdrawal) -> tuple[object, ...]:
    """Parameters of :data:`PERSON`."""
    last = w.last or (None, None, None, None)
    record = w.record or (None, None)
    return (*last, *record, w.due, w.person_id)


def relink_params(w: RegisterWithdrawal) -> list[tuple[object, ...]]:
    """Parameters of :data:`RELINK`, one row a certification left."""
    return [(record, sequence, record) for sequence, record in w.links]
