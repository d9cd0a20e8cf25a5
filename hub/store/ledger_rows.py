"""A ledger row as both dialects store and read it: columns, insert parameters, records.

The statements use ``?`` placeholders; PostgreSQL numbers them
(:func:`certhub.hub.store.postgres.schema.dollar`). The column list is a constant: no
caller input ever reaches these strings.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from certhub.hub.store.base import LedgerRecord, NewMessage, RecordKind

COLUMNS: Final = (
    "sequence, kind, message_type, sender, message_id, kid, sha256, jws, payload,"
    " received_at, receipt"
)

INSERT: Final = (
    "INSERT INTO ledger (sequence, kind, message_type, sender, message_id, kid, sha256, jws,"
    " payload, received_at, receipt, county, reason, period, village, person_id, channel, outcome)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)

SELECT_BY_MESSAGE_ID: Final = f"SELECT {COLUMNS} FROM ledger WHERE sender=? AND message_id=?"
SELECT_PAGE: Final = (
    "SELECT " + ", ".join(f"ledger.{c.strip()}" for c in COLUMNS.split(",")) + ", items.status"
    " FROM ledger LEFT JOIN items ON items.item_id = ledger.sequence"
    " WHERE ledger.kind=? AND ledger.sequence>? AND {area} ORDER BY {order} LIMIT ?"
)
"""One kind's records after a sequence; ``{area}`` is an area condition (``1=1`` for all),
``{order}`` the sequence, as a column or (to steer the planner) as an expression."""


def insert_params(sequence: int, message: NewMessage, receipt: str) -> tuple[object, ...]:
    """Parameters of :data:`INSERT` for ``message``."""
    return (
        sequence,
        message.kind.value,
        message.message_type,
        message.sender,
        message.message_id,
        message.kid,
        message.sha256,
        message.jws,
        message.payload,
        message.received_at.isoformat(),
        receipt,
        message.county,
        message.reason,
        message.period,
        message.village,
        message.person_id,
        message.channel,
        message.outcome,
    )


def new_record(sequence: int, message: NewMessage, receipt: str) -> LedgerRecord:
    """The record ``message`` becomes once inserted at ``sequence``.

    Every accepted message passes here: its signed fields are named one by one
    rather than gathered through :func:`carried_over` (a dict and a keyword
    unpacking per record); ``tests/store/test_new_record.py`` checks they are all of
    :class:`SignedMessage`'s.
    """
    m = message
    return LedgerRecord(
        kind=m.kind,
        message_type=m.message_type,
        sender=m.sender,
        message_id=m.message_id,
        kid=m.kid,
        sha256=m.sha256,
        jws=m.jws,
        payload=m.payload,
        received_at=m.received_at,
        sequence=sequence,
        receipt=receipt,
    )


def to_record(row: tuple[object, ...]) -> LedgerRecord:
    """Map a row selected with :data:`COLUMNS` to a record."""
    seq, kind, mtype, sender, mid, kid, digest, jws, payload, received, receipt = row[:11]
    status = str(row[11]) if len(row) > 11 and row[11] is not None else None
    return LedgerRecord(
        sequence=int(str(seq)),
        kind=RecordKind(str(kind)),
        message_type=str(mtype),
        sender=str(sender),
        message_id=str(mid),
        kid=str(kid),
        sha256=str(digest),
        jws=bytes(jws),  # type: ignore[call-overload]
        payload=bytes(payload),  # type: ignore[call-overload]
        received_at=datetime.fromisoformat(str(received)),
        receipt=str(receipt),
        status=status,
    )
