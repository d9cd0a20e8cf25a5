"""The roster in bulk: many entries in one group commit, the roster and the register together.

An import writes the same two rows per person as ``POST /v1/roster`` does
(the ``roster`` entry the restoration rules read, and the register's copy of
it), under the same rule (the latest ``as_of`` wins), except that an entry
with the *same* ``as_of`` is left alone: importing a file again changes
nothing. An imported entry names no ledger record (``sequence`` 0): the
import is one audit link, ``roster_imported``, carrying the file's SHA-256.
PostgreSQL runs each statement once per batch over column arrays (``unnest``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from certhub.hub.store.writes import Link, Op, RunMany, now

__all__ = ["BULK", "IMPORT_REGISTER", "IMPORT_ROSTER", "import_ops"]

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
