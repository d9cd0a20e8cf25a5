"""Log masking: no number long enough to be somebody's ID number reaches a log line whole.

Coordinators type ID numbers by hand: a wrong check character, a digit too many or too
few, full width from a Chinese keyboard, a 15-digit legacy number, a lower-case x. Each
is still a person's number, so the JSON log formatter stars it out however it came;
shorter numbers (amounts, dates, sequence numbers, ports) stay readable.
"""

from __future__ import annotations

import json
import logging
import unicodedata
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certhub.monitoring.logging import JsonFormatter
from certhub.schemas import mask_numbers_for_logs

ASCII = "0123456789"
FULL_WIDTH = "０１２３４５６７８９"  # U+FF10..U+FF19, what a Chinese keyboard in full width types
CHECK_X = "XxＸｘ"
# Anything but a digit of any script and but an X: what may sit around a number.
AROUND = st.text(
    alphabet=st.characters(blacklist_categories=["Nd", "Cs"], blacklist_characters=CHECK_X),
    max_size=12,
)


def rendered(message: str, **extra: Any) -> dict[str, Any]:
    """``message`` and ``extra`` as the hub's JSON formatter writes them, read back."""
    record = logging.LogRecord("certhub.access", logging.INFO, "", 0, message, (), None)
    for key, value in extra.items():
        setattr(record, key, value)
    line: dict[str, Any] = json.loads(JsonFormatter().format(record))
    return line


def longest_digit_run(text: str) -> int:
    """The longest run of decimal digits (Unicode category Nd) in ``text``, counted by hand."""
    longest = current = 0
    for char in text:
        current = current + 1 if unicodedata.category(char) == "Nd" else 0
        longest = max(longest, current)
    return longest


# Fixed vectors, masked by hand: first 6 and last 2 characters kept, the rest starred.
# 440823195001011231 is a real number's structure (check character 1, computed by hand
# with the recursive ISO 7064 form: p = 2(p + d) mod 11, check = (12 - p) mod 11).
MASKED_BY_HAND = [
    ("440823195001011235", "440823**********35"),  # check character mistyped (1 is right)
    ("44082319500101123", "440823*********23"),  # 17 digits: one dropped
    ("4408231950010112366", "440823***********66"),  # 19 digits: one doubled
    ("4408231950010112X", "440823*********2X"),  # 16 digits and X: a digit dropped
    ("440823500101123", "440823*******23"),  # 15-digit legacy number
    ("44082319500101123x", "440823**********3x"),  # lower-case x
    ("４４０８２３１９５００１０１１２３Ｘ", "４４０８２３**********３Ｘ"),  # full width
    ("４４０８２３１９５００１０１１２３ｘ", "４４０８２３**********３ｘ"),
    ("4408２３1950０１０１123X", "4408２３**********3X"),  # half and half
]


@pytest.mark.parametrize(("number", "masked"), MASKED_BY_HAND)
def test_a_mistyped_number_is_masked_in_message_and_fields(number: str, masked: str) -> None:
    line = rendered(
        f"report for {number} refused",
        path=f"/v1/biometric-enrolments/{number}",
        after=f"cursor:{number}",
    )
    assert line["message"] == f"report for {masked} refused"
    assert line["path"] == f"/v1/biometric-enrolments/{masked}"
    assert line["after"] == f"cursor:{masked}"
    assert number not in json.dumps(line, ensure_ascii=False)


def test_a_number_passed_as_an_int_is_masked_and_a_count_is_kept() -> None:
    line = rendered("read", person=440823195001011235, count=12, port=8443)
    assert line["person"] == "440823**********35"
    assert (line["count"], line["port"]) == (12, 8443)


@pytest.mark.parametrize(
    "text",
    [
        "amount 12345678901234 fen",  # 14 digits: a large amount in fen is no ID number
        "on 2026-12-07 at 18:20:31, 20261207",
        "sequence 0000123 of village 440823101201",  # a 12-digit village code
        "listening on 127.0.0.1:8443",
        "took 1733595631123 ms",  # a timestamp in milliseconds: 13 digits
        "4408231950010X",  # 13 digits and X: too short to be a number missing a digit
    ],
)
def test_short_numbers_stay_readable(text: str) -> None:
    assert rendered(text, detail=text)["message"] == text
    assert rendered(text, detail=text)["detail"] == text


@st.composite
def typed_numbers(draw: st.DrawFn) -> str:
    """Digits as a coordinator might type them: 15 to 19, any mix of ASCII and full width,
    perhaps ending in an X of either width or case."""
    digits = draw(st.lists(st.sampled_from(ASCII + FULL_WIDTH), min_size=15, max_size=19))
    return "".join(digits) + draw(st.sampled_from(["", *CHECK_X]))


@given(typed_numbers(), AROUND, AROUND)
def test_no_run_of_fifteen_digits_survives(number: str, before: str, after: str) -> None:
    text = f"{before}{number}{after}"
    for logged in (mask_numbers_for_logs(text), rendered(text, path=text)["path"]):
        assert longest_digit_run(logged) < 15
        assert number not in logged
        masked = number[:6] + "*" * (len(number) - 8) + number[-2:]
        assert logged == f"{before}{masked}{after}"


@given(st.text(max_size=80))
def test_nothing_of_fifteen_digits_survives_in_any_text(text: str) -> None:
    assert longest_digit_run(mask_numbers_for_logs(text)) < 15


@given(
    st.lists(
        st.text(alphabet=ASCII + FULL_WIDTH, min_size=1, max_size=14),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from([":", "/", "?limit=", "&after=", "元，", ", ", " - "]),
)
def test_runs_shorter_than_fifteen_digits_are_kept(runs: list[str], separator: str) -> None:
    text = separator.join(runs)
    assert mask_numbers_for_logs(text) == text
    assert rendered(text)["message"] == text


@given(
    st.lists(st.text(alphabet=ASCII + FULL_WIDTH, min_size=1, max_size=14), min_size=2),
    st.sampled_from([" ", "-", "+", "%20", "\u3000", "\uff0d"]),
)
def test_groups_joined_by_a_space_or_dash_are_one_number(runs: list[str], separator: str) -> None:
    """A number written in groups (6-8-4, fours) is one number: kept under 15 digits in
    all, else its first 6 and last 2 digits kept and the separators as they were."""
    text = separator.join(runs)
    digits = "".join(runs)
    masked = mask_numbers_for_logs(text)
    if len(digits) < 15:
        assert masked == text
        return
    assert [len(group) for group in masked.split(separator)] == [len(run) for run in runs]
    kept = digits[:6] + "*" * (len(digits) - 8) + digits[-2:]
    assert masked.replace(separator, "") == kept
