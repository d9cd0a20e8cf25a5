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


records = st.builds(
    LedgerRecord,
    kind=st.just(RecordKind.REPORT),
    message_type=st.text(),
    sender=st.text(),
    message_id=st.text(),
    kid=st.just("k"),
    sha256=st.text(),
    jws=st.just(b""),
    payload=st.just(b""),
    received_at=times,
    sequence=st.integers(min_value=0, max_value=2**63),
    receipt=st.text(),
)


@given(records, st.booleans())
def test_the_receipt_response_is_json_responses_exact_bytes_and_headers(
    record: LedgerRecord, created: bool
) -> None:
    expected = web.json_response(receipt_body(record, created=created), status=202)
    answered = receipt_response(record, created=created)
    assert answered.body == expected.body
    assert answered.status == expected.status == 202
    assert dict(answered.headers) == dict(expected.headers)
    assert answered.charset == expected.charset == "utf-8"
