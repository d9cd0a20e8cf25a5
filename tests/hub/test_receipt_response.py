"""The 202 of a push is written member by member; it must be byte for byte what
``web.json_response(receipt_body(...))`` sent before (pullers and clients compare
receipts and bodies, and a re-send must get the very same answer)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from aiohttp import web
from hypothesis import given
from hypothesis import strategies as st

from certhub.hub.api.ingress_routes import receipt_body, receipt_response
from certhub.hub.store import LedgerRecord, RecordKind

times = st.datetimes(
    min_value=datetime(1970, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(timedelta(0))]),
)


@given(
    message_id=st.text(),
    sender=st.text(),
    message_type=st.text(),
    sequence=st.integers(min_value=0, max_value=2**63),
    sha256=st.text(),
    received_at=times,
    receipt=st.text(),
    created=st.booleans(),
)
def test_the_receipt_response_is_json_responses_exact_bytes_and_headers(
    message_id: str,
    sender: str,
    message_type: str,
    sequence: int,
    sha256: str,
    received_at: datetime,
    receipt: str,
    created: bool,
) -> None:
    record = LedgerRecord(
        kind=RecordKind.REPORT,
        message_type=message_type,
        sender=sender,
        message_id=message_id,
        kid="k",
        sha256=sha256,
        jws=b"",
        payload=b"",
        received_at=received_at,
        sequence=sequence,
        receipt=receipt,
    )
    expected = web.json_response(receipt_body(record, created=created), status=202)
    answered = receipt_response(record, created=created)
    assert answered.body == expected.body
    assert answered.status == expected.status == 202
    assert dict(answered.headers) == dict(expected.headers)
    assert answered.charset == expected.charset == "utf-8"
