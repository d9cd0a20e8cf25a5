"""The roster in bulk: many entries in one group commit, the roster and the register together.

An import writes the same two rows per person as ``POST /v1/roster`` does
(the ``roster`` entry the restoration rules read, and the register's copy of
it), under the same rule (the latest ``as_of`` wins), except that an entry
with the *same* ``as_of`` is left alone: importing a file again changes
nothing. An imported entry names no ledger record (``sequence`` 0): the
import is one audit link, ``roster_imported``, carrying the file's SHA-256.
SQLite writes 50 rows per statement (:data:`SQLITE_MANY`); PostgreSQL copies
each batch into a temporary table and runs each statement once over it
(:data:`STAGED`).

A batch first asks which of its people are already current (:data:`CURRENT`):
their roster entry and register row are at least as new as the batch, so both
statements would leave them alone. They are dropped before anything is sent —
before the batch's rows are even built when it comes as a :class:`RosterRange`
— so importing a file again reads the ledger instead of writing it. That is
safe because a roster entry is never deleted and its ``as_of`` never goes back."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Final

from certhub.hub.store.effects import MonthsClaim
from certhub.hub.store.writes import Link, Op, Run, RunMany, now

__all__ = [
    "CLAIM_IMPORTED",
    "CURRENT",
    "IMPORT_REGISTER",
    "IMPORT_ROSTER",
    "SQLITE_MANY",
    "STAGED",
    "ManyRows",
    "RosterRange",
    "StagedCopy",
    "claim_ops",
    "current_params",
    "import_ops",
]

IMPORT_ROSTER: Final = (
    "INSERT INTO roster (person_id, as_of, snapshot, sequence) VALUES (?,?,?,0)"
    " ON CONFLICT (person_id) DO UPDATE SET as_of = excluded.as_of,"
    " snapshot = excluded.snapshot, sequence = excluded.sequence"
    " WHERE excluded.as_of > roster.as_of"
)
_REGISTER_SET: Final = (
    " ON CONFLICT (person_id) DO UPDATE SET area = excluded.area, name = excluded.name,"
    " roster_status = excluded.roster_status, suspended_since = excluded.suspended_since,"
    " roster_as_of = excluded.roster_as_of"
    " WHERE register_people.roster_as_of IS NULL"
    " OR excluded.roster_as_of > register_people.roster_as_of"
)
IMPORT_REGISTER: Final = (
    "INSERT INTO register_people (person_id, roster_as_of, area, name, roster_status,"
    " suspended_since) VALUES (?1,?2,?4,?5,?6,?7)" + _REGISTER_SET
)
"""Takes the import's row as it is (``?3``, the snapshot, is bound and unused): no
per-row tuple is built for it (SQLite counts parameters by the highest number)."""


@dataclass(frozen=True, slots=True)
class ManyRows:
    """SQLite's form of an import statement: ``rows`` rows per statement (a multi-row
    ``VALUES``, the values at ``take`` of each row, flattened), so what SQLite and Python
    pay per statement — reset, step, the GIL released and taken back — is paid once per
    ``rows`` rows. The rest of a batch goes one row at a time."""

    rows: int
    sql: str
    take: tuple[int, ...]


def _many(sql: str, one: str, row: str, take: tuple[int, ...]) -> ManyRows:
    if sql.count(one) != 1:  # the statement changed: its multi-row form must change with it
        raise RuntimeError(f"no single {one!r} in {sql[:60]!r}")
    return ManyRows(50, sql.replace(one, " VALUES " + ",".join([row] * 50)), take)


SQLITE_MANY: Final = {
    IMPORT_ROSTER: _many(IMPORT_ROSTER, " VALUES (?,?,?,0)", "(?,?,?,0)", (0, 1, 2)),
    IMPORT_REGISTER: _many(
        IMPORT_REGISTER, " VALUES (?1,?2,?4,?5,?6,?7)", "(?,?,?,?,?,?)", (0, 1, 3, 4, 5, 6)
    ),
}
"""The import's statements as SQLite's executor runs them (its executor looks them up here)."""

CURRENT: Final = (
    "SELECT r.person_id FROM roster AS r JOIN register_people AS p ON p.person_id = r.person_id"
    " WHERE r.person_id BETWEEN ? AND ? AND r.as_of >= ? AND p.roster_as_of >= ?"
)
"""People between two ID numbers whose roster entry and register row are as new as ``as_of``
(a range over both primary keys: a sorted batch reads only its own stretch of them)."""


@dataclass(frozen=True, slots=True)
class RosterRange:
    """A batch of an import named by its range of ID numbers, its rows built on demand.

    The ledger reads which people from ``first`` to ``last`` are current at
    ``as_of`` (:data:`CURRENT`), then calls ``build`` with them — on a thread:
    it reads the checked file and builds each row's compact entry — for the batch's
    rows without those people. A re-import then builds no row at all.
    """

    first: str
    last: str
    as_of: str
    build: Callable[[frozenset[str]], Sequence[tuple[object, ...]]]


def current_params(rows: Sequence[tuple[object, ...]]) -> tuple[str, str, str]:
    """The range :data:`CURRENT` reads for a batch: its lowest and highest ID number, and
    its newest ``as_of`` (a row is skipped only when the ledger is as new as all of them)."""
    ids = [str(r[0]) for r in rows]
    return min(ids), max(ids), str(max(map(itemgetter(1), rows)))


@dataclass(frozen=True, slots=True)
class StagedCopy:
    """PostgreSQL's form of an import statement: ``COPY`` the batch into a temporary table
    (binary, not WAL-logged, no per-row parse), then one ``INSERT … SELECT … ON CONFLICT``.

    ``columns`` are the staging table's (name and type), filled from each row's
    values at ``take`` (positions in the import's row); the table is dropped at once,
    so two batches in one transaction each stage their own.
    """

    stage: str
    columns: tuple[tuple[str, str], ...]
    take: tuple[int, ...]
    insert: str

    def create(self) -> str:
        """The staging table's DDL."""
        typed = ", ".join(f"{name} {kind}" for name, kind in self.columns)
        return f"CREATE TEMPORARY TABLE {self.stage} ({typed}) ON COMMIT DROP"


STAGED: Final = {
    IMPORT_ROSTER: StagedCopy(
        "roster_import_stage",
        (("person_id", "text"), ("as_of", "text"), ("snapshot", "bytea")),
        (0, 1, 2),
        "INSERT INTO roster (person_id, as_of, snapshot, sequence)"
        " SELECT person_id, as_of, snapshot, 0 FROM roster_import_stage"
        " ON CONFLICT (person_id) DO UPDATE SET as_of = excluded.as_of,"
        " snapshot = excluded.snapshot, sequence = excluded.sequence"
        " WHERE excluded.as_of > roster.as_of",
    ),
    IMPORT_REGISTER: StagedCopy(
        "register_import_stage",
        (
            ("person_id", "text"),
            ("roster_as_of", "text"),
            ("area", "text"),
            ("name", "text"),
            ("roster_status", "text"),
            ("suspended_since", "text"),
        ),
        (0, 1, 3, 4, 5, 6),
        "INSERT INTO register_people (person_id, roster_as_of, area, name, roster_status,"
        " suspended_since) SELECT * FROM register_import_stage" + _REGISTER_SET,
    ),
}
"""The import's statements as PostgreSQL runs them (its executor looks them up here)."""


def import_ops(
    rows: Sequence[tuple[object, ...]], *, last: tuple[str, str, str] | None = None
) -> list[Op]:
    """The writes of one batch of rows (person, as_of, snapshot, area, name, status, since).

    ``last`` (subject, actor, file digest) ends the import with its audit link.
    """
    ops: list[Op] = [
        RunMany(IMPORT_ROSTER, [r[:3] for r in rows]),
        RunMany(IMPORT_REGISTER, rows),
    ]
    if last is not None:
        ops.append(Link(now(), "roster_imported", *last))
    return ops


CLAIM_IMPORTED: Final = (
    "INSERT INTO benefit_months (person_id, purpose, month, source, sequence)"
    " SELECT ?, ?, ?, ?, 0 WHERE (SELECT snapshot FROM roster WHERE person_id = ?) = ?"
    " ON CONFLICT DO NOTHING"
)
"""A month an imported entry shows paid, claimed (no ledger record: ``sequence`` 0, as the
import's entries) only while the person's roster entry is still the one the months were read
from, and not over a month claimed already: a change meanwhile claims nothing rather than
refusing (a refusal outside a message would undo the group commit's other writes)."""


def claim_ops(claims: Sequence[MonthsClaim], roster: bytes, actor: str) -> list[Op]:
    """The writes claiming ``claims`` read from the roster entry ``roster`` (as stored), one
    statement a month, each audited (``roster_months_claimed``, by ``actor``) when it claimed.

    Raises:
        ValueError: a claim names no source (an import has no record of its own to name).
    """
    if any(c.source is None for c in claims):
        raise ValueError("a roster import's months claim names the task it is claimed under")
    return [
        Run(
            CLAIM_IMPORTED,
            (c.person_id, c.purpose, month, c.source, c.person_id, roster),
            audit=("roster_months_claimed", f"{c.person_id[-4:]} {c.purpose} {month}", actor),
        )
        for c in claims
        for month in c.months
    ]
