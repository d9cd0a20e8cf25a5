"""Resident ID numbers (GB 11643): validation, legacy upgrade and masking."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from certhub.schemas import (
    InvalidResidentId,
    ResidentId,
    check_character,
    mask_ids_in_text,
    mask_resident_id,
    upgrade_legacy_id,
    validate_resident_id,
)
from certhub.schemas.clock import shanghai_today
from certhub.schemas.resident_id import PROVINCE_CODES

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
    # China's day now, not TODAY taken at collection: a run may cross China's midnight
    tomorrow = shanghai_today() + timedelta(days=1)
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
        f"人员44010219900101123X已死亡；旧号440102900101123，"
        f"号码{x_number.lower()}; order 1234567890123456789 ok"
    )
    masked = mask_ids_in_text(text)
    assert "44010219900101123X" not in masked
    assert "440102900101123" not in masked
    assert x_number.lower() not in masked
    assert "440102**********3X" in masked
    assert "440102*******23" in masked
    assert "1234567890123456789" in masked  # 19 digits: not an ID number
    assert mask_ids_in_text("no numbers here") == "no numbers here"


# Independently computed GB 11643 vectors: ISO 7064 MOD 11-2 done by hand with the
# recursive form (p = 2(p + d) mod 11, check = (12 - p) mod 11, 10 written X), not with
# the weight table. Every one of the 17 digits is non-zero, so a wrong weight in any
# position changes the check character of every vector; all 11 check characters occur.
GB11643_VECTORS = [
    "445381195811274616",  # 罗定市 (Yunfu)
    "441881196211192834",  # 英德市
    "44532219371218769X",  # 郁南县
    "441224194511263922",  # 怀集县
    "441723195411298488",  # 阳西县
    "44522419671214536X",  # 惠来县
    "44512219731121974X",  # 饶平县
    "445323195612153957",  # 云安
    "441581194811266176",  # 陆丰市
    "441427193911257287",  # 蕉岭县
    "441523195912222499",  # 陆河县
    "445381194611173365",
    "445381195211289857",
    "445381196412197427",
    "445381195711241120",
    "445381195711241171",
    "445381195711241163",
    "32118319551118621X",  # 句容市 (Jiangsu): the province list is not only 44
]


def _by_hand(first17: str) -> str:
    """ISO 7064 MOD 11-2, recursive form (independent of the project's weight table)."""
    p = 0
    for char in first17:
        p = (p + int(char)) * 2 % 11
    return "0123456789X"[(12 - p) % 11]


@pytest.mark.parametrize("number", GB11643_VECTORS)
def test_fixed_vectors_are_valid_and_their_check_character_is_exact(number: str) -> None:
    assert "0" not in number[:17]
    assert _by_hand(number[:17]) == number[17]  # the vectors themselves are right
    assert check_character(number[:17]) == number[17]
    assert validate_resident_id(number) == number
    for wrong in (c for c in DIGITS + "X" if c != number[17]):
        with pytest.raises(InvalidResidentId, match="check character mismatch"):
            validate_resident_id(number[:17] + wrong)


def test_all_eleven_check_characters_occur_in_the_vectors() -> None:
    assert {number[17] for number in GB11643_VECTORS} == set(DIGITS + "X")


@pytest.mark.parametrize("position", range(17))
def test_a_wrong_weight_in_any_position_is_caught(
    position: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from certhub.schemas import resident_id

    right = resident_id._WEIGHTS
    for delta in range(1, 11):  # every other weight modulo 11
        weights = list(right)
        weights[position] = (right[position] + delta) % 11
        monkeypatch.setattr(resident_id, "_WEIGHTS", tuple(weights))
        assert not all(check_character(n[:17]) == n[17] for n in GB11643_VECTORS)
    monkeypatch.setattr(resident_id, "_WEIGHTS", right)
    assert all(check_character(n[:17]) == n[17] for n in GB11643_VECTORS)


@given(valid_ids(), st.text(alphabet=st.characters(blacklist_categories=["Nd"]), max_size=20))
def test_every_real_number_is_masked_wherever_it_sits(number: str, around: str) -> None:
    for text in (number, f"{around}{number}{around}", f"id={number.lower()};"):
        masked = mask_ids_in_text(text)
        assert number not in masked.upper()
        assert mask_resident_id(number) in masked.upper()


@given(valid_ids(), st.data())
def test_eighteen_digits_that_are_no_id_number_stay_readable(
    number: str, data: st.DataObject
) -> None:
    wrong = data.draw(st.sampled_from([c for c in DIGITS if c != number[17]]))
    not_an_id = number[:17] + wrong
    message_id = f"msg-{not_an_id}"
    assert mask_ids_in_text(message_id) == message_id
    no_date = number[:10] + "13" + number[12:17]  # month 13
    no_date += _by_hand(no_date)
    assert mask_ids_in_text(f"serial {no_date}") == f"serial {no_date}"


@pytest.mark.parametrize(
    "text",
    [
        "jti msg-202612060930151234 ok",  # 18 digits, wrong check character
        "gdrs_app.GDR202612060000001",  # a channel serial: 15 digits, no province 20
        "order 1234567890123456789",  # 19 digits
        "trace 000000000000000000",  # zeros: no birth date
    ],
)
def test_message_ids_and_serials_are_not_taken_for_id_numbers(text: str) -> None:
    assert mask_ids_in_text(text) == text
