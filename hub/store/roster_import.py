"""The roster in bulk: many entries in one group commit, the roster and the register together.

An import writes the same two rows per person as ``POST /v1/roster`` does
(the ``roster`` entry the restoration rules read, and the register's copy of
it), under the same rule (the latest ``as_of`` wins), except that an entry
with the *same* ``as_of`` is left alone: importing a file again changes
nothing. An imported entry names no ledger record (``sequence`` 0): the
import is one audit link, ``roster_imported``, carrying the file's SHA-256.
PostgreSQL runs each statement once per batch over column arrays (``unnest``).

A batch first asks which of its people are already current (:data:`CURRENT`):
their roster entry and register row are at least as new as the batch, so both
statements would leave them alone. They are dropped before anything is sent,
so importing a file again reads the ledger instead of writing it. That is safe
because a roster entry is never deleted and its ``as_of`` never goes back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from certhub.hub.store.writes import Link, Op, RunMany, now

__all__ = ["BULK", "CURRENT", "IMPORT_REGISTER", "IMPORT_ROSTER", "current_params", "import_ops"]

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
    " suspended_since) VALUES (?,?,?,?,?,?)" + _REGISTER_SET
)

CURRENT: Final = (
    "SELECT r.person_id FROM roster AS r JOIN register_people AS p ON p.person_id = r.person_id"
    " WHERE r.person_id BETWEEN ? AND ? AND r.as_of >= ? AND p.roster_as_of >= ?"
)
"""People between two ID numbers whose roster entry and register row are as new as ``as_of``
(a range over both primary keys: a sorted batch reads only its own stretch of them)."""


def current_params(rows: Sequence[tuple[object, ...]]) -> tuple[str, str, str, str]:
    """Parameters of :data:`CURRENT` for a batch: its lowest and highest ID number, and
    its newest ``as_of`` (a row is skipped only when the ledger is as new as all of them)."""
    ids = [str(r[0]) for r in rows]
    newest = max(str(r[1]) for r in rows)
    return min(ids), max(ids), newest, newest


BULK: Final = {
    IMPORT_ROSTER: (
        "INSERT INTO roster (person_id, as_of, snapshot, sequence)"
        " SELECT p, a, s, 0 FROM unnest($1::text[], $2::text[], $3::bytea[]) AS t(p, a, s)"
        " ON CONFLICT (person_id) DO UPDATE SET as_of = excluded.as_of,"
        " snapshot = excluded.snapshot, sequence = excluded.sequence"
        " WHERE excluded.as_of > roster.as_of"
    ),
    IMPORT_REGISTER: (
        "INSERT INTO register_people (person_id, roster_as_of, area, name, roster_status,"
        " suspended_since) SELECT * FROM unnest($1::text[], $2::text[], $3::text[],"
        " $4::text[], $5::text[], $6::text[])" + _REGISTER_SET
    ),
}
"""The same statements over column arrays, for PostgreSQL's executor."""


def import_ops(
    rows: Sequence[tuple[object, ...]], *, last: tuple[str, str, str] | None = None
) -> list[Op]:
    """The writes of one batch of rows (person, as_of, snapshot, area, name, status, since).

    ``last`` (subject, actor, file digest) ends the import with its audit link.
    """
    ops: list[Op] = [
        RunMany(IMPORT_ROSTER, [(r[0], r[1], r[2]) for r in rows]),
        RunMany(IMPORT_REGISTER, [(r[0], r[1], r[3], r[4], r[5], r[6]) for r in rows]),
    ]
    if last is not None:
        ops.append(Link(now(), "roster_imported", *last))
    return ops
