"""No ID number reaches a log line whole when it came percent-encoded in the request line.

aiohttp decodes a path and a query once, so a number sent as ``%34%34…`` or, typed on
a Chinese keyboard in full width, ``%EF%BC%94…`` is logged as digits and starred. But
a client or a proxy that encodes twice leaves one encoding after aiohttp's, and the
access log kept ``%34%34%30%38…`` or ``%EF%BC%94…`` whole: digits to anyone who reads
the line, none to the 15-digit rule of the log masker.
"""

from __future__ import annotations

import io
import json
import logging
import unicodedata
from urllib.parse import unquote

from hub_fixtures import hub, hub_factory, party_keys
from hubkit import Hub
from hypothesis import given
from hypothesis import strategies as st
from logkit import logged, raw_get

from certhub.monitoring.logging import JsonFormatter
from certhub.schemas import mask_numbers_for_logs

__all__ = ["hub", "hub_factory", "party_keys"]

NUMBER = "440823195001011231"  # a valid number's structure (check character 1)
FULL_WIDTH = {digit: chr(0xFF10 + int(digit)) for digit in "0123456789"}


def percent(text: str, *, lower: bool = False) -> str:
    """Every character of ``text`` percent-encoded as UTF-8, upper- or lower-case hex."""
    hexed = "".join(f"%{byte:02X}" for byte in text.encode())
    return hexed.lower() if lower else hexed


def spellings(digit: str) -> list[str]:
    """The ways one digit may stand in a request line: as is, in full width, either
    percent-encoded (hex of either case), or encoded twice (``%`` itself as ``%25``)."""
    once = [percent(digit), percent(digit, lower=True), percent(FULL_WIDTH[digit])]
    return [digit, FULL_WIDTH[digit], *once, *(item.replace("%", "%25") for item in once)]


def digits_of(text: str) -> str:
    """``text`` decoded as far as it goes, its digits of any width as ASCII, the rest dropped."""
    for _ in range(4):
        text = unquote(text)
    return "".join(str(unicodedata.digit(char)) for char in text if char.isdecimal())


def longest_run_decoded(text: str) -> int:
    """The longest run of digits in ``text`` once decoded as far as it goes."""
    for _ in range(4):
        text = unquote(text)
    longest = current = 0
    for char in text:
        current = current + 1 if char.isdecimal() else 0
        longest = max(longest, current)
    return longest


def formatted(path: str) -> str:
    """``path`` as the hub's JSON formatter writes it in a log line's field."""
    record = logging.LogRecord("certhub.access", logging.INFO, "", 0, "read", (), None)
    record.path = path
    return str(json.loads(JsonFormatter().format(record))["path"])


@st.composite
def encoded_numbers(draw: st.DrawFn) -> str:
    """The valid number, each digit spelled its own way (most of them encoded)."""
    return "".join(draw(st.sampled_from(spellings(digit))) for digit in NUMBER)


@given(encoded_numbers(), st.sampled_from(["/v1/biometric-enrolments/", "/v1/reports?after="]))
def test_no_fifteen_digits_survive_an_encoded_number(number: str, where: str) -> None:
    logged_path = formatted(where + number)
    assert longest_run_decoded(logged_path) < 15
    assert NUMBER not in digits_of(logged_path)
    assert logged_path == mask_numbers_for_logs(where + number)


@given(st.lists(st.sampled_from(["%E4%B8%AD", "%31", "%EF%BC%92", "%2F", "a", "%20", "7"])))
def test_encoded_text_holding_no_number_is_logged_as_it_came(parts: list[str]) -> None:
    """Encoded Chinese, short encoded numbers: a path keeps its look (under 15 digits)."""
    path = "/v1/x/" + "".join(parts)
    if longest_run_decoded(path.replace("%20", "")) >= 15:
        return  # that many digits in all: a number, masked by the test above
    assert formatted(path) == path


async def test_a_number_encoded_twice_in_a_request_line_is_logged_masked(
    hub: Hub, json_logs: io.StringIO
) -> None:
    ascii_twice = percent(NUMBER).replace("%", "%25")
    full_width_twice = percent("".join(FULL_WIDTH[d] for d in NUMBER)).replace("%", "%25")
    for encoded in (ascii_twice, full_width_twice):
        assert await raw_get(hub, f"/v1/biometric-enrolments/{encoded}") in {400, 404}
        assert await raw_get(hub, f"/v1/reports?after={encoded}&limit=20") == 400
    reads = logged(json_logs, event="pii_read")
    assert len(reads) == 4
    assert [read["path"] for read in reads[::2]] == [
        "/v1/biometric-enrolments/440823**********31",
        "/v1/biometric-enrolments/４４０８２３**********３１",
    ]
    assert [read["after"] for read in reads[1::2]] == [
        "440823**********31",
        "４４０８２３**********３１",
    ]
    assert NUMBER not in digits_of(json_logs.getvalue())
