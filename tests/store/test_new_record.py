"""The record a message becomes carries every signed field of it, named one by one.

:func:`certhub.hub.store.ledger_rows.new_record` lists the fields of
:class:`~certhub.hub.store.records.SignedMessage` itself (every accepted message
passes there); a field added to the signed message must reach the record too.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime

from certhub.hub.store.base import LedgerRecord, NewMessage, RecordKind
from certhub.hub.store.ledger_rows import new_record
from certhub.hub.store.records import SignedMessage

MESSAGE = NewMessage(
    kind=RecordKind.REPORT,
    message_type="eligibility_report/v1",
    sender="city",
    message_id="m-1",
    kid="city-key",
    sha256="ab" * 32,
    jws=b"h.p.s",
    payload=b'{"n":1}',
    received_at=datetime(2026, 12, 6, 13, 49, 3, 123456, tzinfo=UTC),
    county="440103",
    village="440103001001",
    period="2026-12",
    person_id="440103195001011234",
)


def test_the_record_is_the_message_at_its_sequence_with_its_receipt() -> None:
    record = new_record(41, MESSAGE, "receipt-41")
    assert record == LedgerRecord(
        RecordKind.REPORT,
        "eligibility_report/v1",
        "city",
        "m-1",
        "city-key",
        "ab" * 32,
        b"h.p.s",
        b'{"n":1}',
        datetime(2026, 12, 6, 13, 49, 3, 123456, tzinfo=UTC),
        sequence=41,
        receipt="receipt-41",
    )
    assert record.status is None


def test_every_signed_field_is_carried_over() -> None:
    record = new_record(7, MESSAGE, "r")
    signed = [field.name for field in fields(SignedMessage)]
    assert len(signed) == 9
    assert {name: getattr(record, name) for name in signed} == {
        name: getattr(MESSAGE, name) for name in signed
    }
