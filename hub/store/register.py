"""The register's writes, committed with the record that causes them (both dialects).

A passed certification updates its person's row (:data:`CERTIFIED`) and then
records itself, linked to the certification of record the row now names
(:data:`LINKED`). The row follows :mod:`certhub.hub.rules.cycle`: a
certification 12 or more months after the record's month opens a new cycle
(it becomes the record), an earlier one is linked; the last passed
certification (latest day, on a tie the later record) sets the due month.
A roster write copies the roster's area, name, status and suspension date
into the row, under the roster's own rule (the latest ``as_of`` wins).
Neither can fail: they change no money and refuse nothing.
"""

from __future__ import annotations

from typing import Final

from certhub.hub.store.effects import RegisterCertification, RosterWrite

_NEWER: Final = "register_people.last_on IS NULL OR excluded.last_on >= register_people.last_on"
_NEW_CYCLE: Final = (
    "register_people.record_month IS NULL"
    " OR excluded.record_month >= register_people.record_month + 12"
)


def _pick(column: str, condition: str) -> str:
    return (
        f"{column} = CASE WHEN {condition} THEN excluded.{column} ELSE register_people.{column} END"
    )


CERTIFIED: Final = (
    "INSERT INTO register_people (person_id, area, name, last_on, last_method, last_channel,"
    " last_sequence, record_sequence, record_month, due_month) VALUES (?,?,?,?,?,?,?,?,?,?)"
    " ON CONFLICT (person_id) DO UPDATE SET"
    " area = coalesce(register_people.area, excluded.area),"
    " name = coalesce(register_people.name, excluded.name), "
    + ", ".join(_pick(c, _NEWER) for c in ("last_on", "last_method", "last_channel"))
    + ", "
    + ", ".join(
        [
            _pick("last_sequence", _NEWER),
            _pick("due_month", _NEWER),
            _pick("record_sequence", _NEW_CYCLE),
            _pick("record_month", _NEW_CYCLE),
        ]
    )
)
"""Upsert the person's row with one passed certification."""

LINKED: Final = (
    "INSERT INTO register_certifications (sequence, person_id, certified_on, month, method,"
    " channel, of_record) VALUES (?,?,?,?,?,?,"
    " (SELECT record_sequence FROM register_people WHERE person_id = ?))"
    " ON CONFLICT (sequence) DO NOTHING"
)
"""Record the certification under the record its person's row names (after :data:`CERTIFIED`)."""

ROSTER: Final = (
    "INSERT INTO register_people (person_id, area, name, roster_status, suspended_since,"
    " roster_as_of) VALUES (?,?,?,?,?,?)"
    " ON CONFLICT (person_id) DO UPDATE SET area = excluded.area, name = excluded.name,"
    " roster_status = excluded.roster_status, suspended_since = excluded.suspended_since,"
    " roster_as_of = excluded.roster_as_of"
    " WHERE register_people.roster_as_of IS NULL"
    " OR excluded.roster_as_of >= register_people.roster_as_of"
)
"""Copy a roster entry's register columns (the roster's own as-of rule)."""


def certified_params(c: RegisterCertification, sequence: int) -> list[tuple[object, ...]]:
    """Parameters of :data:`CERTIFIED` then :data:`LINKED` (``sequence``: the record's own)."""
    seq = c.sequence if c.sequence is not None else sequence
    due = c.month + 12
    person = (c.person_id, c.area, c.name, c.certified_on, c.method, c.channel)
    return [
        (*person, seq, seq, c.month, due),
        (seq, c.person_id, c.certified_on, c.month, c.method, c.channel, c.person_id),
    ]


def roster_params(r: RosterWrite) -> tuple[object, ...]:
    """Parameters of :data:`ROSTER`."""
    return (r.person_id, r.area, r.name, r.status, r.suspended_since, r.as_of)
