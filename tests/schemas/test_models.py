"""Canonical message models: round trips, free text, validators and masking."""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from certhub.schemas import (
    MESSAGE_TYPES,
    EligibilityReport,
    Message,
    PersonRef,
    Restoration,
    ZeroReport,
)
from certhub.schemas.clock import shanghai_today

Samples = dict[str, dict[str, Any]]

NAUGHTY = [
    "Robert'); DROP TABLE students;--",
    "' OR '1'='1",
    "1; SELECT pg_sleep(10)",
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "javascript:alert(1)",
    "{{7*7}}${7*7}<%= 7*7 %>",
    "%s%s%s%n",
    "../../../../etc/passwd",
    "\u202eevil.exe\u202c",
    "\u200f\u200e\u061c",
    "a\u200db\u200cc\ufeffd\u2060",
    "👨\u200d👩\u200d👧\u200d👦🏳️\u200d🌈",
    "😀🙈💩",
    "Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f\u0334\u0319",
    "e\u0301 vs é",
    "'",
    '"',
    "\\",
    "\\x00 \\u0000",
    "'\"\\`",
    " leading and trailing spaces ",
    "\ttab\nnewline\r\ncrlf",
    "\x01\x07\x1b[31mred\x1b[0m\x7f",
    "\u2028\u2029",
    "买买提·艾力",
    "欧阳·娜娜",
    "陈大文",
    "𠀋𡈽𡌛",  # supplementary-plane CJK
    "ＡＢＣ１２３",
    "Ω≈ç√∫˜µ≤≥÷",
    "田中さんにあげて下さい",
    "사회과학원 어학연구소",
    "مرحبا بالعالم",
    "שָׁלוֹם",
    "null",
    "None",
    "true",
    "0",
    "-1e308",
    "x" * 100,
    "长" * 1000,
]


def _parse(model: type[BaseModel], payload: dict[str, Any]) -> Any:
    return model.model_validate_json(json.dumps(payload, ensure_ascii=False), strict=True)


@pytest.mark.parametrize("message_type", sorted(MESSAGE_TYPES))
def test_round_trip(message_type: str, samples: Samples) -> None:
    model = MESSAGE_TYPES[message_type]
    parsed = _parse(model, samples[message_type])
    assert model.model_validate_json(parsed.model_dump_json(), strict=True) == parsed
    assert parsed.type == message_type == model.MESSAGE_TYPE  # type: ignore[attr-defined]


def test_a_message_without_a_typed_default_is_refused_when_defined() -> None:
    """MESSAGE_TYPE is read from the ``type`` default, so a class lacking one cannot exist."""
    with pytest.raises(TypeError, match="must be a Literal with its value as default"):

        class Untyped(Message):
            """No ``type`` field."""

            remarks: str | None = None


@pytest.mark.parametrize("text", NAUGHTY)
def test_naughty_remarks_survive_byte_exact(text: str, samples: Samples) -> None:
    payload = samples["eligibility_report/v1"] | {"remarks": text}
    report = _parse(EligibilityReport, payload)
    again = EligibilityReport.model_validate_json(report.model_dump_json(), strict=True)
    assert report.remarks is not None
    assert again.remarks is not None
    assert report.remarks.encode() == again.remarks.encode() == text.encode()


def _a_possible_name(text: str) -> bool:
    """Names may hold anything visible: no control/format/separator character, not blank."""
    invisible = any(unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"} for char in text)
    return 1 <= len(text) <= 100 and not invisible and not text.isspace()


@pytest.mark.parametrize("text", [t for t in NAUGHTY if _a_possible_name(t)])
def test_naughty_names_survive_byte_exact(text: str, samples: Samples) -> None:
    payload = samples["eligibility_report/v1"]
    payload["person"]["name"] = text
    report = _parse(EligibilityReport, payload)
    assert report.person.name.encode() == text.encode()
    assert EligibilityReport.model_validate_json(report.model_dump_json()).person.name == text


@pytest.mark.parametrize(
    "text", [t for t in NAUGHTY if 1 <= len(t) <= 100 and not _a_possible_name(t)]
)
def test_naughty_invisible_names_are_refused(text: str, samples: Samples) -> None:
    payload = samples["eligibility_report/v1"]
    payload["person"]["name"] = text
    with pytest.raises(ValidationError, match=r"person\.name"):
        _parse(EligibilityReport, payload)


@pytest.mark.parametrize("bad", ["a\x00b", "\x00", "ok\ud800", "\udfff"])
def test_nul_and_lone_surrogates_refused(bad: str, samples: Samples) -> None:
    payload = samples["eligibility_report/v1"]
    with pytest.raises(ValidationError):
        EligibilityReport.model_validate(payload | {"remarks": bad})
    payload["person"]["name"] = bad
    with pytest.raises(ValidationError):
        EligibilityReport.model_validate(payload)


def test_nul_escape_in_json_refused(samples: Samples) -> None:
    raw = json.dumps(samples["zero_report/v1"] | {"remarks": "a\x00b"})
    assert "\\u0000" in raw
    with pytest.raises(ValidationError, match="NUL"):
        ZeroReport.model_validate_json(raw)


@pytest.mark.parametrize(("field", "limit"), [("remarks", 1000), ("name", 100)])
def test_length_limits(field: str, limit: int, samples: Samples) -> None:
    payload = samples["eligibility_report/v1"]
    target = payload["person"] if field == "name" else payload
    target[field] = "字" * (limit + 1)
    with pytest.raises(ValidationError):
        EligibilityReport.model_validate(payload)
    target[field] = ""
    if field == "name":
        with pytest.raises(ValidationError):
            EligibilityReport.model_validate(payload)


def _refused(message_type: str, payload: dict[str, Any], match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        _parse(MESSAGE_TYPES[message_type], payload)


@pytest.mark.parametrize("method", ["counter", "home_visit", "social_org"])
def test_assisted_certification_needs_operator_and_evidence(method: str, samples: Samples) -> None:
    event = samples["certification_event/v1"] | {"method": method}
    _parse(MESSAGE_TYPES["certification_event/v1"], event)
    _refused("certification_event/v1", event | {"operator": None}, "requires an operator")
    _refused("certification_event/v1", event | {"evidence": event["evidence"][:1]}, "onsite_photo")
    _refused("certification_event/v1", event | {"evidence": []}, "id_image")


def test_remote_certification_needs_neither(samples: Samples) -> None:
    event = samples["certification_event/v1"] | {
        "method": "face",
        "channel": {"kind": "app_12333"},
        "operator": None,
        "evidence": [],
    }
    assert _parse(MESSAGE_TYPES["certification_event/v1"], event).operator is None


def test_certification_times(samples: Samples) -> None:
    event = samples["certification_event/v1"]
    soon = (datetime.now(UTC) + timedelta(minutes=2)).isoformat()
    later = (datetime.now(UTC) + timedelta(minutes=10)).isoformat()
    _parse(MESSAGE_TYPES["certification_event/v1"], event | {"occurred_at": soon})
    _refused("certification_event/v1", event | {"occurred_at": later}, "future")
    _refused("certification_event/v1", event | {"occurred_at": "2024-01-01T10:00:00"}, "timezone")
    base = event | {"occurred_at": "2024-02-29T10:00:00+08:00"}
    _parse(MESSAGE_TYPES["certification_event/v1"], base | {"valid_until": "2025-03-01"})
    for bad in ("2025-03-02", "2024-02-29", "2024-01-01"):
        _refused("certification_event/v1", base | {"valid_until": bad}, "valid_until")
    _refused("certification_event/v1", base | {"outcome": "failed"}, "failed")


def test_only_one_person_per_certification(samples: Samples) -> None:
    event = samples["certification_event/v1"]
    batch = event | {"persons": [event["person"], event["person"]]}
    _refused("certification_event/v1", batch, "Extra inputs are not permitted")
    _refused("certification_event/v1", event | {"person": [event["person"]]}, "person")


def test_report_rules(samples: Samples) -> None:
    report = samples["eligibility_report/v1"]
    tomorrow = (shanghai_today() + timedelta(days=1)).isoformat()
    _refused("eligibility_report/v1", report | {"event_date": tomorrow}, "future")
    _refused("eligibility_report/v1", report | {"reason": "other", "remarks": "  "}, "remarks")
    _parse(EligibilityReport, report | {"reason": "other", "remarks": "户口迁出省外"})


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"count": 1}, "count"),
        ({"period": "2024-13"}, "pattern"),
        ({"period": "2024-1"}, "pattern"),
        ({"period": "9999-01"}, "future"),
        ({"region": {"county": "440100"}}, "city-level"),
    ],
)
def test_zero_report_rules(changes: dict[str, Any], match: str, samples: Samples) -> None:
    _refused("zero_report/v1", samples["zero_report/v1"] | changes, match)


def test_reject_needs_reason(samples: Samples) -> None:
    decision = samples["decision/v1"]
    _refused("decision/v1", decision | {"reasons": []}, "at least one reason")
    _refused("decision/v1", decision | {"reasons": [" "]}, "at least one reason")
    _parse(MESSAGE_TYPES["decision/v1"], decision | {"action": "approve", "reasons": []})


@pytest.mark.parametrize(
    ("message_type", "changes", "match"),
    [
        ("verification_task/v1", {"disposal": None}, "disposal"),
        ("verification_task/v1", {"status": "open"}, "resolved_at"),
        ("verification_task/v1", {"status": "cleared", "resolved_at": None}, "resolved_at"),
        ("overpayment/v1", {"period_to": "2024-03-31"}, "period_from"),
        ("overpayment/v1", {"recovered_amount": "800.00"}, "exceeds"),
        ("overpayment/v1", {"recovery_status": "pending"}, "pending"),
        ("overpayment/v1", {"recovery_status": "recovered"}, "recovered"),
        ("overpayment/v1", {"amount": "714.005"}, "decimal places"),
        ("overpayment/v1", {"amount": "-1.00"}, "greater than or equal"),
        ("overpayment/v1", {"months": "3"}, "integer"),
        ("restoration/v1", {"back_pay_to": "2021-12-31"}, "back_pay_from"),
        ("restoration/v1", {"restore_from": "2021-12-01"}, "restore_from"),
        ("restoration/v1", {"bank_account": "6222-0212"}, "pattern"),
        ("restoration/v1", {"bank_account_on_file": "6222****"}, "pattern"),
        ("suspension/v1", {"reason": "other"}, "remarks"),
        ("termination/v1", {"reason": "missing"}, "reason"),
        ("termination/v1", {"event_date": "2999-01-01"}, "event date is in the future"),
        ("task_transition/v1", {"event_date": "2999-01-01"}, "event date is in the future"),
        ("recovery/v1", {"recovered_on": "2999-01-01"}, "recovered_on is in the future"),
        ("biometric_enrolment/v1", {"occurred_at": "2999-01-01T00:00:00+08:00"}, "5 minutes"),
        ("benefit_record/v1", {"paid_through": "2024-13"}, "pattern"),
        ("benefit_record/v1", {"bank_account_on_file": "6222****"}, "pattern"),
        ("suspension_proposal/v1", {"due_month": "2024-2"}, "pattern"),
        ("restoration_proposal/v1", {"effective_from": "2024-02-02"}, "event_date"),
        ("restoration_proposal/v1", {"withdrawn": []}, "at least 1"),
        ("restoration_proposal/v1", {"reason": "missing"}, "reason"),
        (
            "restoration/v1",
            {
                "bank_account": None,
                "account_change_evidence": {
                    "sha256": "a" * 64,
                    "kind": "other",
                    "media_type": "application/pdf",
                },
            },
            "needs the new bank_account",
        ),
        ("restoration/v1", {"released_on": "2021-12-31"}, "needs its release_evidence"),
        (
            "restoration/v1",
            {
                "release_evidence": {
                    "sha256": "b" * 64,
                    "kind": "court_judgment",
                    "media_type": "application/pdf",
                }
            },
            "needs the released_on",
        ),
    ],
)
def test_workflow_consistency(
    message_type: str, changes: dict[str, Any], match: str, samples: Samples
) -> None:
    _refused(message_type, samples[message_type] | changes, match)


def test_a_restoration_to_the_account_on_file_names_no_new_account(samples: Samples) -> None:
    restoration = dict(samples["restoration/v1"])
    del restoration["bank_account"]
    parsed = _parse(MESSAGE_TYPES["restoration/v1"], restoration)
    assert parsed.bank_account is None  # type: ignore[attr-defined]
    assert "bank_account=None" in repr(parsed)  # masking tolerates the absent account


def test_a_voided_overpayment_keeps_what_was_recovered_to_refund_it(samples: Samples) -> None:
    voided = samples["overpayment/v1"] | {"recovery_status": "voided"}
    assert str(_parse(MESSAGE_TYPES["overpayment/v1"], voided).recovered_amount) == "100.00"  # type: ignore[attr-defined]
    _refused("overpayment/v1", voided | {"recovered_amount": "800.00"}, "exceeds")


def test_models_are_frozen(samples: Samples) -> None:
    report = _parse(ZeroReport, samples["zero_report/v1"])
    with pytest.raises(ValidationError):
        report.period = "2024-01"


@pytest.mark.parametrize(
    "message_type",
    sorted(
        MESSAGE_TYPES.keys()
        - {"zero_report/v1", "decision/v1", "task_transition/v1", "recovery/v1", "write_off/v1"}
        - {"service_rating/v1", "rating_followup/v1"}
    ),
)
def test_repr_and_str_mask_the_id_number(message_type: str, samples: Samples) -> None:
    person_id = samples[message_type]["person"]["id_number"]
    message = _parse(MESSAGE_TYPES[message_type], samples[message_type])
    for text in (repr(message), str(message), repr(message.person), str(message.person)):
        assert person_id not in text
        assert person_id[6:16] not in text
        assert "440102**********" in text
    assert message.person.id_number == person_id  # the data itself is intact


def test_repr_masks_bank_account(samples: Samples) -> None:
    restoration = _parse(Restoration, samples["restoration/v1"])
    assert "6222021234567890123" not in repr(restoration)
    assert "***************0123" in repr(restoration)


def test_validation_errors_do_not_show_the_number(samples: Samples) -> None:
    person = samples["eligibility_report/v1"]["person"] | {"name": ""}
    person_id = person["id_number"]
    with pytest.raises(ValidationError) as caught:
        PersonRef.model_validate(person)
    assert person_id not in str(caught.value)
    bad_id = person_id[:17] + ("0" if person_id[17] != "0" else "1")
    with pytest.raises(ValidationError, match="check character mismatch") as caught:
        PersonRef.model_validate(person | {"id_number": bad_id, "name": "x"})
    assert bad_id not in str(caught.value)
