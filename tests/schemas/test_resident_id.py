"""Resident ID numbers (GB 11643): validation, legacy upgrade and masking."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from schemas import (
    InvalidResidentId,
    ResidentId,
    check_character,
    mask_ids_in_text,
    mask_resident_id,
    upgrade_legacy_id,
    validate_resident_id,
)
from schemas.resident_id import PROVINCE_CODES, shanghai_today

TODAY = shanghai_today()
DIGITS = "0123456789"
digit_runs = {n: st.text(DIGITS, min_size=n, max_size=n) for n in (3, 4)}


@st.composite
def valid_ids(draw: st.DrawFn, born_from: date = date(1900, 1, 1), born_to: date = TODAY) -> str:
    """A syntactically valid number: province, any area digits, real birth date, check char."""
    province = draw(st.sampled_from(sorted(PROVINCE_CODES)))
    born = draw(st.dates(born_from, born_to))
    first17 = province + draw(digit_runs[4]) + born.strftime("%Y%m%d") + draw(digit_runs[3])
    return first17 + check_character(first17)


def _id_with_check_x() -> str:
    for seq in range(1000):
        first17 = f"44030619800101{seq:03d}"
        if check_character(first17) == "X":
            return first17 + "X"
    raise AssertionError("no sequence gives check character X")


def test_standard_examples() -> None:
    # Examples printed in GB 11643-1999 itself.
    assert validate_resident_id("11010519491231002X") == "11010519491231002X"
    assert validate_resident_id("440524188001010014") == "440524188001010014"
    assert check_character("11010519491231002") == "X"


@given(valid_ids())
def test_generated_valid_numbers_pass(number: str) -> None:
    assert validate_resident_id(number) == number
    assert TypeAdapter(ResidentId).validate_python(number) == number


@given(valid_ids(), st.data())
def test_any_single_character_change_is_refused(number: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(0, 17))
    allowed = DIGITS + "X" if position == 17 else DIGITS
    replacement = data.draw(st.sampled_from([c for c in allowed if c != number[position]]))
    tampered = number[:position] + replacement + number[position + 1 :]
    with pytest.raises(InvalidResidentId) as caught:
        validate_resident_id(tampered)
    assert tampered not in str(caught.value)


def test_lower_case_x_is_normalised() -> None:
    number = _id_with_check_x()
    assert validate_resident_id(number.lower()) == number
    assert TypeAdapter(ResidentId).validate_python(number[:17] + "x") == number


@given(valid_ids(born_from=date(1900, 1, 1), born_to=date(1999, 12, 31)))
def test_legacy_upgrade_round_trip(number: str) -> None:
    legacy = number[:6] + number[8:17]
    assert upgrade_legacy_id(legacy) == number


@pytest.mark.parametrize("bad", ["44010290010112", "4401029001011234", "44010290A101123"])
def test_legacy_upgrade_refuses_malformed(bad: str) -> None:
    with pytest.raises(InvalidResidentId):
        upgrade_legacy_id(bad)


def test_resident_id_type_refuses_15_digits() -> None:
    with pytest.raises(ValidationError, match="wrong length"):
        TypeAdapter(ResidentId).validate_python("440102900101123")


@pytest.mark.parametrize(
    ("first17", "message"),
    [
        ("44010219900230123", "birth date is not a real date"),
        ("44010219010229123", "birth date is not a real date"),
        ("44010218791231123", "birth date before 1880"),
        ("00010219900101123", "unknown province code"),
        ("91010219900101123", "unknown province code"),
    ],
)
def test_refusals_name_the_rule_not_the_number(first17: str, message: str) -> None:
    number = first17 + check_character(first17)
    with pytest.raises(InvalidResidentId, match=message) as caught:
        validate_resident_id(number)
    assert first17 not in str(caught.value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("4401021990010112", "wrong length"),
        ("4401021990010112345", "wrong length"),
        ("44010219900101123Y", "non-digit character"),
        ("4401021990O101123X", "non-digit character"),
        ("44010219900101١٢٣X", "non-digit character"),
    ],
)
def test_shape_refusals(value: str, message: str) -> None:
    with pytest.raises(InvalidResidentId, match=message):
        validate_resident_id(value)


def test_future_birth_date_refused() -> None:
    tomorrow = TODAY + timedelta(days=1)
    first17 = "440102" + tomorrow.strftime("%Y%m%d") + "123"
    with pytest.raises(InvalidResidentId, match="birth date in the future"):
        validate_resident_id(first17 + check_character(first17))
    assert validate_resident_id(first17 + check_character(first17), today=tomorrow)


@given(st.integers(0, 99), st.dates(date(1900, 1, 1), date(1990, 12, 31)))
def test_abolished_or_unknown_area_code_still_passes(suffix: int, born: date) -> None:
    # 4499xx was never a Guangdong county; 440122 (从化县) was abolished in 1994.
    for area in (f"4499{suffix:02d}", "440122"):
        first17 = area + born.strftime("%Y%m%d") + "007"
        number = first17 + check_character(first17)
        assert validate_resident_id(number) == number


def test_mask_resident_id() -> None:
    assert mask_resident_id("440102199001011234") == "440102**********34"
    assert mask_resident_id("440102900101123") == "440102*******23"
    assert mask_resident_id("4401021990") == "**********"
    assert mask_resident_id("") == ""


@given(valid_ids())
def test_mask_never_shows_the_middle(number: str) -> None:
    masked = mask_resident_id(number)
    assert len(masked) == 18
    assert masked[6:16] == "*" * 10


def test_mask_ids_in_text() -> None:
    x_number = _id_with_check_x()
    text = (
        f"人员440102199001011234已死亡；旧号440102900101123，"
        f"号码{x_number.lower()}; order 1234567890123456789 ok"
    )
    masked = mask_ids_in_text(text)
    assert "440102199001011234" not in masked
    assert "440102900101123" not in masked
    assert x_number.lower() not in masked
    assert "440102**********34" in masked
    assert "440102*******23" in masked
    assert "1234567890123456789" in masked  # 19 digits: not an ID number
    assert mask_ids_in_text("no numbers here") == "no numbers here"
