"""Schema version 19: every stored roster ``as_of`` rewritten to the same instant in China time.

The roster compares an entry's ``as_of`` as text (the latest wins: ``roster.as_of`` in
:mod:`certhub.hub.store.writes` and :mod:`certhub.hub.store.roster_import`, the register's
copy ``register_people.roster_as_of`` in :mod:`certhub.hub.store.register`). Text orders
instants only when every stamp has one offset. Intake stores a pushed entry's ``as_of`` in
China time (``+08:00``) and an import stamps its entries so, but a pushed entry stored
before kept its sender's offset: a stored UTC stamp sorted eight hours early, and an entry
stamped in China time up to eight hours *before* it was taken for newer and replaced it
(paid through M0 stamped in UTC, an older entry paid through M-3 stamped in China time an
hour earlier arriving late: a death on the 15th of M-3 recovered nothing instead of
M-2..M0 = 714.00).

The step rewrites each of :data:`AS_OF_COLUMNS` to :func:`china_time` of its value, in the
exact form intake stores (``datetime.isoformat`` of the instant in China time: fractional
seconds only when the stamp has them, as six digits). SQLite and PostgreSQL parse offsets
differently and neither prints Python's form, so the rows are rewritten in Python, a
batch of :data:`BATCH` keys at a time, inside the step's transaction (each dialect's
runner drives :func:`rewritten` over :meth:`StampColumn.batch` and
:meth:`StampColumn.update`). A stamp already ending in ``+08:00`` is China time's own form
and is skipped in SQL; rewriting again changes nothing.

The snapshot is left alone: a pushed entry's is the signed message as it came, and the
``as_of`` inside it (or built into an imported entry's JSON from the column) is read only
as a parsed, timezone-aware instant (:mod:`certhub.hub.procedure.late_roster`), never
compared as text; the person's guard compares snapshot bytes, which this step keeps.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from certhub.schemas.clock import CHINA_STANDARD_TIME

__all__ = ["AS_OF_COLUMNS", "BATCH", "StampColumn", "china_time", "rewritten"]

BATCH: Final = 2000
"""Keys read and rewritten a round trip: a roster holds millions of entries."""

_CHINA_SUFFIX: Final = "+08:00"


@dataclass(frozen=True, slots=True)
class StampColumn:
    """A text column holding a roster entry's ``as_of``, in a table keyed by ``key``."""

    table: str
    key: str
    column: str

    def batch(self) -> str:
        """The next :data:`BATCH` keys after ``?`` whose stamp is not yet in China time."""
        return (
            f"SELECT {self.key}, {self.column} FROM {self.table}"
            f" WHERE {self.key} > ? AND {self.column} NOT LIKE '%{_CHINA_SUFFIX}'"
            f" ORDER BY {self.key} LIMIT {BATCH}"
        )

    def update(self) -> str:
        """Set the stamp (first ``?``) of one key (second ``?``)."""
        return f"UPDATE {self.table} SET {self.column} = ? WHERE {self.key} = ?"


AS_OF_COLUMNS: Final = (
    StampColumn("roster", "person_id", "as_of"),
    StampColumn("register_people", "person_id", "roster_as_of"),
)
"""Every column compared as text that holds a roster entry's ``as_of``."""


def china_time(stamp: str) -> str:
    """``stamp`` (ISO 8601 with an offset) as the same instant in China time, in intake's form.

    Raises:
        ValueError: ``stamp`` is not ISO 8601 or has no offset (no writer stores such a one).
    """
    moment = datetime.fromisoformat(stamp)
    if moment.utcoffset() is None:
        raise ValueError(f"a roster as_of without an offset: {stamp!r}")
    return moment.astimezone(CHINA_STANDARD_TIME).isoformat()


def rewritten(rows: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(new stamp, key) of each (key, stamp) row whose stamp China time changes."""
    pairs = ((key, stamp, china_time(stamp)) for key, stamp in rows)
    return [(new, key) for key, stamp, new in pairs if new != stamp]
