"""The receipt's JSON template writes exactly what the general encoder writes.

Receipts are signed over these bytes and re-sent messages must get the very
same receipt back, so "equivalent JSON" is not enough: the text must match.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from certhub.schemas.clock import rfc3339
from certhub.security._compact import compact_signing_input
from certhub.security._encoding import json_dumps
from certhub.security.keys import SigningKey
from certhub.security.receipts import RECEIPT_TYPE, ReceiptSigner, _receipt_id


@given(st.datetimes(timezones=st.just(UTC)), st.integers(-14 * 60, 14 * 60))
def test_rfc3339_is_the_same_for_utc_and_for_any_offset(moment: datetime, minutes: int) -> None:
    elsewhere = moment.astimezone(timezone(timedelta(minutes=minutes)))
    assert rfc3339(moment) == rfc3339(elsewhere)
    assert rfc3339(moment) == moment.isoformat().replace("+00:00", "Z")


@given(
    message_id=st.from_regex(r"[A-Za-z0-9_.:-]{1,128}", fullmatch=True),
    sender=st.from_regex(r"[A-Za-z0-9_.:@-]{1,64}", fullmatch=True),
    message_type=st.text(min_size=1, max_size=40),
    sequence=st.integers(0, 2**63 - 1),
    received_at=st.datetimes(
        min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
    ),
)
def test_receipt_signing_input_is_the_general_encoders_output(
    message_id: str, sender: str, message_type: str, sequence: int, received_at: datetime
) -> None:
    key = SIGNER.key
    draft = SIGNER.draft(
        message_id=message_id,
        sender=sender,
        digest="ab" * 32,
        received_at=received_at,
        message_type=message_type,
    )
    header = {
        "alg": key.alg,
        "kid": key.kid,
        "typ": RECEIPT_TYPE,
        "iat": int(received_at.timestamp()),
        "jti": _receipt_id(sender, message_id),
        "iss": "hub-1",
    }
    payload = {
        "type": RECEIPT_TYPE,
        "message_id": message_id,
        "sender": sender,
        "message_type": message_type,
        "sha256": "ab" * 32,
        "ledger_sequence": sequence,
        "received_at": rfc3339(received_at),
    }
    assert draft.signing_input(sequence) == compact_signing_input(header, json_dumps(payload))


SIGNER = ReceiptSigner(SigningKey.generate(), hub_id="hub-1")
