"""An imported roster entry stored compactly: its fields, not its JSON.

``POST /v1/roster`` stores the signed ``benefit_record/v1`` as it came, in the
``roster`` table's ``snapshot``. A bulk import stored the same canonical JSON
per row too: 340 bytes a row, a fifth of the import's time (DuckDB building
it, Python handing it over, SQLite and its write-ahead log storing it). An
imported entry's snapshot is now :data:`COMPACT_SQL`'s: the tag ``r1`` and the
entry's fields, separated by the unit separator (U+001F), about 90 bytes —
and :func:`roster_entry` turns it back into the JSON the import built before,
key for key, when it is read (``get_roster``: the restoration rules, the
notices' mobile number). A snapshot without the tag is the JSON itself: rows
of ``POST /v1/roster`` and rows imported before this form read as they did,
and no schema step was needed.

The separator cannot occur in a field: the import refuses a name with a control
character, and every other field is checked against a pattern of digits,
``*``, ``-`` and ``.`` (:mod:`certhub.hub.register.importer`). An absent
mobile number or suspension date is the empty string, which no valid value
is. The area is the register's (the village code, else the county code): a
village code is its county's six digits and six more.
"""

from __future__ import annotations

import json
from typing import Final

__all__ = ["COMPACT_SQL", "roster_entry"]

_TAG: Final = b"r1\x1f"
_FIELDS: Final = (
    "monthly_amount",
    "paid_through",
    "bank_account_on_file",
    "coalesce(contact_mobile, '')",
    "coalesce(village, county)",
    "name",
    "status",
    "coalesce(suspended_since, '')",
)
COMPACT_SQL: Final = f"encode(concat_ws(chr(31), 'r1', {', '.join(_FIELDS)}))"
"""DuckDB's expression for an accepted row's compact entry (a BLOB), over the import's
checked columns (concat_ws skips a NULL: the optional fields are made empty first)."""

_COUNTY_DIGITS: Final = 6
_PARTS: Final = 8


def roster_entry(snapshot: bytes, person_id: str, as_of: str) -> bytes:
    """The ``benefit_record/v1`` JSON of a stored roster row: its snapshot as it is, or —
    a compact entry (:data:`COMPACT_SQL`) — the JSON built from its fields.

    Raises:
        ValueError: a tagged snapshot without its eight fields (a damaged row).
    """
    if not snapshot.startswith(_TAG):
        return snapshot
    parts = snapshot[len(_TAG) :].decode().split("\x1f")
    if len(parts) != _PARTS:
        raise ValueError(f"a compact roster entry has {len(parts)} fields, not {_PARTS}")
    amount, paid, account, mobile, area, name, status, since = parts
    county = area[:_COUNTY_DIGITS]
    region = {"county": county} if area == county else {"county": county, "village": area}
    record = {
        "type": "benefit_record/v1",
        "person": {"id_number": person_id, "name": name, "region": region},
        "status": status,
        "monthly_amount": amount,
        "paid_through": paid,
        "suspended_since": since or None,
        "bank_account_on_file": account,
        "contact_mobile": mobile or None,
        "as_of": as_of,
    }
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()
