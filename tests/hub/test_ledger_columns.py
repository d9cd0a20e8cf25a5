"""The ledger row of a pushed report: its signed fields and the columns it is indexed by.

An eligibility report is most of what is pushed; its row holds the report's region,
its reason, the person's ID number and the month the hub received it in China Standard
Time (a report received on the 31st at 16:30 UTC counts for the next month).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime

from certhub.hub.ingress.pipeline import ledger_message, validate_payload
from certhub.hub.store import NewMessage, RecordKind
from certhub.security import MessageVerifier, SigningKey, TrustStore, sign_compact

TYPES = {"eligibility_report/v1", "zero_report/v1", "certification_event/v1"}
REPORT = {
    "type": "eligibility_report/v1",
    "reason": "duplicate_receipt",
    "person": {
        "id_number": "440402196012163784",
        "name": "李妹英",
        "region": {"county": "440402", "village": "440402019235"},
    },
    "event_date": "2026-11-05",
    "reporter": {"id": "coord-440402019235", "role": "coordinator", "name": "贾勇"},
    "region": {"county": "440402", "village": "440402019235"},
}
NEW_YEAR_IN_CHINA = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)  # 2027-01-01 00:30 +08:00


def _row(payload: Mapping[str, object], typ: str, now: datetime) -> tuple[NewMessage, bytes, str]:
    key = SigningKey.generate()
    trust = TrustStore.empty().add(key.public_jwk(), sender="city", may_send=TYPES)
    body = json.dumps(payload, ensure_ascii=False).encode()
    token = sign_compact(body, key=key, typ=typ, sender="city", jti="r-1", iat=1_798_000_000)
    message = MessageVerifier(trust).verify(token, allowed_types=TYPES)
    model = validate_payload(typ, message.payload, now=now)
    return ledger_message(message, model, RecordKind.REPORT, now), token, key.kid


def test_a_reports_row_holds_its_signed_fields_and_columns() -> None:
    row, token, kid = _row(REPORT, "eligibility_report/v1", NEW_YEAR_IN_CHINA)
    assert row == NewMessage(
        kind=RecordKind.REPORT,
        message_type="eligibility_report/v1",
        sender="city",
        message_id="r-1",
        kid=kid,
        sha256=hashlib.sha256(token).hexdigest(),
        jws=token,
        payload=json.dumps(REPORT, ensure_ascii=False).encode(),
        received_at=NEW_YEAR_IN_CHINA,
        county="440402",
        reason="duplicate_receipt",
        period="2027-01",
        village="440402019235",
        person_id="440402196012163784",
    )
    assert (row.channel, row.outcome) == (None, None)


def test_a_zero_reports_row_counts_for_the_period_it_names() -> None:
    zero = {
        "type": "zero_report/v1",
        "period": "2026-11",
        "reporter": REPORT["reporter"],
        "region": {"county": "440402", "village": "440402019235"},
    }
    row, _, _ = _row(zero, "zero_report/v1", NEW_YEAR_IN_CHINA)
    columns = (row.county, row.village, row.period, row.reason, row.person_id)
    assert columns == ("440402", "440402019235", "2026-11", None, None)


def test_a_certifications_row_counts_for_the_month_it_happened_in_china() -> None:
    certification = {
        "type": "certification_event/v1",
        "person": REPORT["person"],
        "method": "counter",
        "channel": {"kind": "counter", "code": "GZ-LW-01"},
        "outcome": "certified",
        "occurred_at": "2026-11-30T17:00:00+00:00",  # 1 December, 01:00 in China
        "evidence": [
            {"sha256": "a" * 64, "kind": "id_image", "media_type": "image/jpeg"},
            {"sha256": "b" * 64, "kind": "onsite_photo", "media_type": "image/png"},
        ],
        "operator": {"id": "staff-9", "role": "town_staff"},
        "valid_until": "2027-11-30",
    }
    row, _, _ = _row(certification, "certification_event/v1", NEW_YEAR_IN_CHINA)
    columns = (row.county, row.village, row.period, row.reason, row.person_id)
    assert columns == ("440402", "440402019235", "2026-12", "counter", "440402196012163784")
    assert (row.channel, row.outcome) == ("counter", "certified")
