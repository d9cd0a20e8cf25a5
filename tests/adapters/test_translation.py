"""Pure translations: ministry records, provincial results, e-ID replies, SMS texts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from certhub.adapters import IdentityVerdict, RejectedRecord, ResponseInvalid
from certhub.adapters.eid import translate as eid
from certhub.adapters.ministry import translate as ministry
from certhub.adapters.sms import certification_result_text
from certhub.schemas import CertificationEvent, CertificationMethod, ChannelKind, check_character

ID = "44532119500312002" + check_character("44532119500312002")


def record(**changes: object) -> dict[str, object]:
    when = datetime.now(UTC).astimezone() - timedelta(days=2)
    base = {"rzid": "RZ1", "aac002": ID, "aac003": "冼桂英", "aab301": "445321", "rzfs": "03",
            "rzqd": "02", "rzjg": "1", "rzsj": when.isoformat(),
            "yxqz": (when.date() + timedelta(days=365)).isoformat(), "sbbh": "DEV-1"}  # fmt: skip
    return {**base, **changes}


def test_a_record_becomes_a_certification_event() -> None:
    event = ministry.event_from_record(record())
    assert isinstance(event, CertificationEvent)
    assert event.method is CertificationMethod.finger_vein
    assert event.channel.kind is ChannelKind.e_ssc
    assert event.channel.code == "DEV-1"
    assert event.person.name == "冼桂英"
    assert event.person.region.county == "445321"
    assert event.evidence == ()


def test_a_failed_certification_has_no_validity() -> None:
    event = ministry.event_from_record(record(rzjg="0"))
    assert isinstance(event, CertificationEvent)
    assert event.valid_until is None


@pytest.mark.parametrize(
    "changes", [{"aac002": ID[:17] + "0"}, {"aab301": "110101"}, {"rzsj": "yesterday"}]
)
def test_untranslatable_records_are_rejected_without_the_number(changes: dict[str, str]) -> None:
    result = ministry.event_from_record(record(**changes))
    assert isinstance(result, RejectedRecord)
    assert result.record_id == "RZ1"
    assert ID not in result.reason


def test_every_method_and_channel_has_a_push_code() -> None:
    assert set(ministry.PUSH_METHODS) == set(CertificationMethod)
    assert set(ministry.PUSH_CHANNELS) == set(ChannelKind)
    assert len(set(ministry.PUSH_CHANNELS.values())) == len(ChannelKind)


def reply(**changes: object) -> SimpleNamespace:
    base = {"RequestId": "r1", "Result": "DECEASED", "Similarity": Decimal("0.9731"),
            "LicenceId": "L1", "DeathDate": date(2025, 1, 2),
            "CheckedAt": datetime(2025, 3, 1, 9, 30)}  # fmt: skip
    return SimpleNamespace(**{**base, **changes})


def test_an_e_id_reply_is_translated_field_by_field() -> None:
    result = eid.verification(reply(), "r1")
    assert result.verdict is IdentityVerdict.deceased
    assert result.similarity == pytest.approx(0.9731)
    assert result.date_of_death == date(2025, 1, 2)
    assert result.checked_at.utcoffset() == timedelta(hours=8)  # naive means CST


@pytest.mark.parametrize("changes", [{"Result": "MAYBE"}, {"RequestId": "r2"}])
def test_an_e_id_reply_breaking_the_contract_is_invalid(changes: dict[str, str]) -> None:
    with pytest.raises(ResponseInvalid):
        eid.verification(reply(**changes), "r1")


def test_result_sms_is_chinese_and_masks_the_id() -> None:
    event = ministry.event_from_record(record())
    assert isinstance(event, CertificationEvent)
    text = certification_result_text(event)
    assert ID not in text
    assert "445321**********" in text
    assert "已通过" in text
    assert "有效期至" in text
    failed = ministry.event_from_record(record(rzjg="0"))
    assert isinstance(failed, CertificationEvent)
    assert "未通过" in certification_result_text(failed)
