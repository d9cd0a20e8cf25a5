"""What the comparison knows about its feeds: departments, kinds of evidence, grades.

A feed is one CSV (or Parquet) file per department in the input folder,
named ``<department>.csv``, with the columns of :data:`FEED_COLUMNS`. Each row
becomes one canonical comparison record: source department, kind, ID number,
name, event date, source record id and the source's reliability grade.

Grades (how much one record of that source is worth on its own):

- ``A`` — a register of record for that fact (cremation/burial by civil
  affairs, household-registration cancellation by public security, a prison
  admission by justice, payment by another pension scheme): one record opens a
  verification task;
- ``B`` — a secondary source (a hospital's death report, an exit-entry
  record): a second, different department must say the same before a task opens;
- ``C`` — auxiliary "seen alive" signals: never evidence of loss.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from certhub.schemas import TaskKind

__all__ = [
    "AUXILIARY_KINDS",
    "DEPARTMENTS",
    "DIRECT_KINDS",
    "FEED_COLUMNS",
    "ROSTER_COLUMNS",
    "VOID_KIND",
    "Department",
]

FEED_COLUMNS: Final = (
    "record_id",
    "id_number",
    "name",
    "birth_date",
    "county",
    "kind",
    "event_date",
    "voids_record_id",
)
"""Every feed's header; ``birth_date`` and ``county`` serve name-only matching."""

ROSTER_COLUMNS: Final = ("id_number", "name", "county", "village")
"""The roster snapshot's header (the provincial system's export)."""

VOID_KIND: Final = "void"
"""A row of this kind withdraws the department's earlier record ``voids_record_id``."""

DIRECT_KINDS: Final[dict[str, TaskKind]] = {
    "death": TaskKind.death,
    "cremation": TaskKind.death,
    "registration_cancelled": TaskKind.death,
    "imprisonment": TaskKind.imprisonment,
    "other_pension": TaskKind.duplicate_receipt,
    "emigration": TaskKind.loss_of_nationality,
}
"""Direct evidence of loss, and the verification task each kind suggests."""

AUXILIARY_KINDS: Final = frozenset(
    {"medical_visit", "travel", "vaccination", "canteen_meal", "service_visit"}
)
"""Auxiliary evidence that the person was alive on the event date (免办 if in the period)."""


@dataclass(frozen=True)
class Department:
    """One feeding department: its grade and the kinds it may send."""

    name: str
    grade: str
    kinds: frozenset[str]


DEPARTMENTS: Final[dict[str, Department]] = {
    d.name: d
    for d in (
        Department("civil_affairs", "A", frozenset({"cremation", "death"})),
        Department("public_security", "A", frozenset({"registration_cancelled"})),
        Department("health", "B", frozenset({"death", "medical_visit", "vaccination"})),
        Department("justice", "A", frozenset({"imprisonment"})),
        Department("other_pension", "A", frozenset({"other_pension"})),
        Department("exit_entry", "B", frozenset({"emigration", "travel"})),
        Department("canteen", "C", frozenset({"canteen_meal"})),
        Department("grid_service", "C", frozenset({"service_visit"})),
    )
}
"""The departments feeding the comparison (file stem → department)."""
