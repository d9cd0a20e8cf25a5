"""Valid-looking input that cannot be true: invisible names, impossible dates."""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from certhub.schemas import SCHEME_START, check_character, json_schema_for, parse_message

from .conftest import build_samples

CST = timezone(timedelta(hours=8))
NOW = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)  # 12:00 in China: the validation's "now"
REFUSED = {"Cc", "Cf", "Zl", "Zp"}


def _payload(message_type: str, **changes: Any) -> dict[str, Any]:
    return build_samples()[message_type] | changes


def _parse(message_type: str, payload: dict[str, Any], now: datetime = NOW) -> Any:
    return parse_message(message_type, json.dumps(payload, ensure_ascii=False).encode(), now=now)


def _person_born(born: date) -> dict[str, Any]:
    first17 = "445381" + born.strftime("%Y%m%d") + "461"
    return {
        "id_number": first17 + check_character(first17),
        "name": "陈大文",
        "region": {"county": "445381"},
    }


def _report_with_name(name: str) -> dict[str, Any]:
    payload = _payload("eligibility_report/v1")
    payload["person"]["name"] = name
    return payload


# ---- names ---------------------------------------------------------------------------

visible = st.characters(blacklist_categories=["Cc", "Cf", "Zl", "Zp", "Cs"])
refused_chars = st.characters(whitelist_categories=["Cc", "Cf", "Zl", "Zp"])


@given(st.text(visible, min_size=1, max_size=100).filter(lambda name: not name.isspace()))
def test_any_visible_name_is_kept_byte_exact(name: str) -> None:
    report = _parse("eligibility_report/v1", _report_with_name(name))
    assert report.person.name.encode() == name.encode()
    again = parse_message("eligibility_report/v1", report.model_dump_json().encode(), now=NOW)
    assert again.person.name.encode() == name.encode()  # type: ignore[attr-defined]


@given(st.text(visible, max_size=40), refused_chars, st.text(visible, max_size=40))
def test_a_control_or_format_character_anywhere_refuses_the_name(
    before: str, bad: str, after: str
) -> None:
    with pytest.raises(ValidationError, match=r"person\.name"):
        _parse("eligibility_report/v1", _report_with_name(before + bad + after))


@pytest.mark.parametrize(
    "name",
    [
        "买买提·艾力",  # U+00B7 MIDDLE DOT, the standard separator of transliterated names
        "阿依古丽・买买提",  # U+30FB KATAKANA MIDDLE DOT, common in practice
        "阿依古丽•买买提",  # U+2022 BULLET
        "阿依古丽‧买买提",  # U+2027 HYPHENATION POINT
        "𠮷野",  # CJK Extension B
        "䶮",  # Extension A
        "𪚥𰻞",  # Extensions B and G
        "欧阳 娜娜",  # an inner space
        "葛\U000e0100",  # an ideographic variation sequence (Mn, not Cf)
    ],
)
def test_chinese_names_in_practice_are_kept(name: str) -> None:
    report = _parse("eligibility_report/v1", _report_with_name(name))
    assert report.person.name.encode("utf-8") == name.encode("utf-8")


@pytest.mark.parametrize(
    "name",
    [
        " ",
        "\u3000\u3000",  # ideographic spaces only
        "\u200b",  # zero-width space
        "陈\u200b大文",
        "\x1b[31m陈大文\x1b[0m",  # ANSI escape
        "陈大文\n",
        "陈\r\n大文",
        "\u202e文大陈",  # right-to-left override
        "\u2066陈大文\u2069",  # bidi isolates
        "陈\u2028大文",  # line separator
        "\ufeff陈大文",  # BOM / zero-width no-break space
        "\u00ad陈",  # soft hyphen
    ],
)
def test_blank_and_invisible_names_are_refused(name: str) -> None:
    with pytest.raises(ValidationError, match=r"person\.name"):
        _parse("eligibility_report/v1", _report_with_name(name))
    actor = _payload("eligibility_report/v1")
    actor["reporter"]["name"] = name
    with pytest.raises(ValidationError, match=r"reporter\.name"):
        _parse("eligibility_report/v1", actor)


def test_the_published_schema_says_the_same_about_names() -> None:
    validator = jsonschema.Draft202012Validator(json_schema_for("eligibility_report/v1"))
    assert validator.is_valid(_report_with_name("买买提·艾力"))
    assert validator.is_valid(_report_with_name("𠮷野"))
    for bad in (" ", "陈\u200b", "\u202e陈", "\x1b[0m陈", "陈\u2029大"):
        assert not validator.is_valid(_report_with_name(bad)), ascii(bad)
    assert all(unicodedata.category(c) not in REFUSED for c in "买买提·艾力𠮷野")


# ---- dates ---------------------------------------------------------------------------


def _event(occurred_at: datetime, born: date = date(1950, 1, 1)) -> dict[str, Any]:
    return _payload(
        "certification_event/v1",
        person=_person_born(born),
        method="face",
        channel={"kind": "app_gdrs"},
        evidence=[],
        operator=None,
        valid_until=None,
        occurred_at=occurred_at.isoformat(),
    )


def test_a_certification_time_in_seconds_read_as_milliseconds_is_refused() -> None:
    seconds = int(NOW.timestamp())
    as_if_millis = datetime.fromtimestamp(seconds / 1000, UTC)  # 1970-01-21
    with pytest.raises(ValidationError, match="before 2009-01-01"):
        _parse("certification_event/v1", _event(as_if_millis))


def test_no_certification_before_the_scheme_began_in_china_time() -> None:
    first_day = datetime.combine(SCHEME_START, time(0, 0), CST)
    assert date(2009, 1, 1) == SCHEME_START
    assert _parse("certification_event/v1", _event(first_day)).occurred_at == first_day
    assert _parse("certification_event/v1", _event(first_day.astimezone(UTC)))  # 2008-12-31Z
    with pytest.raises(ValidationError, match="when the scheme began"):
        _parse("certification_event/v1", _event(first_day - timedelta(seconds=1)))


def test_no_certification_before_the_person_was_born() -> None:
    born = date(2012, 5, 5)
    birthday = datetime.combine(born, time(0, 0), CST)
    assert _parse("certification_event/v1", _event(birthday, born))
    with pytest.raises(ValidationError, match="before the person's birth date") as refused:
        _parse("certification_event/v1", _event(birthday - timedelta(seconds=1), born))
    assert [error["loc"] for error in refused.value.errors()] == [("occurred_at",)]


def test_the_future_is_judged_against_the_validations_now() -> None:
    skew = timedelta(minutes=5)
    assert _parse("certification_event/v1", _event(NOW + skew))
    with pytest.raises(ValidationError, match="in the future"):
        _parse("certification_event/v1", _event(NOW + skew + timedelta(seconds=1)))
    # deterministic: the same payload judged at another "now"
    assert _parse("certification_event/v1", _event(NOW + timedelta(days=1)), NOW + timedelta(2))


@given(
    born=st.dates(date(1900, 1, 1), date(2026, 5, 31)),
    occurred=st.datetimes(datetime(1970, 1, 1), datetime(2027, 1, 1), timezones=st.just(UTC)),
)
def test_a_certification_is_accepted_exactly_when_it_could_have_happened(
    born: date, occurred: datetime
) -> None:
    day = occurred.astimezone(CST).date()
    possible = max(born, SCHEME_START) <= day and occurred <= NOW + timedelta(minutes=5)
    try:
        _parse("certification_event/v1", _event(occurred, born))
    except ValidationError:
        assert not possible
    else:
        assert possible


def test_a_death_before_the_persons_birth_is_refused() -> None:
    born_1950 = _person_born(date(1950, 3, 2))
    report = _payload("eligibility_report/v1", person=born_1950, event_date="1900-01-01")
    with pytest.raises(ValidationError, match="before the person's birth date") as refused:
        _parse("eligibility_report/v1", report)
    assert [error["loc"] for error in refused.value.errors()] == [("event_date",)]
    report["event_date"] = "1950-03-01"
    with pytest.raises(ValidationError, match="before the person's birth date"):
        _parse("eligibility_report/v1", report)
    report["event_date"] = "1950-03-02"
    assert _parse("eligibility_report/v1", report).event_date == date(1950, 3, 2)


def test_report_dates_in_the_future_follow_the_validations_now() -> None:
    tomorrow = (NOW.astimezone(CST) + timedelta(days=1)).date().isoformat()
    with pytest.raises(ValidationError, match="event date is in the future"):
        _parse("eligibility_report/v1", _payload("eligibility_report/v1", event_date=tomorrow))
    zero = _payload("zero_report/v1", period="2026-07")
    with pytest.raises(ValidationError, match="period is in the future"):
        _parse("zero_report/v1", zero)
    assert _parse("zero_report/v1", zero, now=datetime(2026, 6, 30, 16, tzinfo=UTC))  # CST July


def test_a_birth_date_after_the_validations_now_is_refused() -> None:
    report = _payload("eligibility_report/v1", person=_person_born(date(2026, 6, 2)))
    report["event_date"] = "2026-06-02"
    with pytest.raises(ValidationError, match="birth date in the future"):
        _parse("eligibility_report/v1", report)  # NOW is 2026-06-01 in China
    assert _parse("eligibility_report/v1", report, now=datetime(2026, 6, 2, 1, tzinfo=UTC))
