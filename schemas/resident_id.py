"""Resident identity card numbers (公民身份号码, GB 11643-1999) and their masking.

An 18-character number is: 6-digit area code of first registration, 8-digit
birth date (YYYYMMDD), 3-digit sequence, and an ISO 7064 MOD 11-2 check
character (``0``-``9`` or ``X``).

Only the two-digit province prefix is checked against a code list. The six-digit
area code is deliberately *not* checked: pensioners' numbers were issued under
county codes that have since been abolished or renumbered, and a number stays
valid for life (python-stdnum's ``cn.ric`` wrongly rejects such numbers).

Error messages never contain the number itself, only what is wrong with it.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from operator import mul
from typing import Annotated, Final
from urllib.parse import unquote

from pydantic import AfterValidator, ValidationInfo, WithJsonSchema

from .clock import CHINA_STANDARD_TIME, shanghai_today

__all__ = [
    "PROVINCE_CODES",
    "InvalidResidentId",
    "ResidentId",
    "birth_date_of",
    "check_character",
    "mask_ids_in_text",
    "mask_numbers_for_logs",
    "mask_resident_id",
    "upgrade_legacy_id",
    "validate_resident_id",
]

#: Province-level prefixes of GB/T 2260 (民政部 list, 2023), plus the prefixes
#: the Ministry of Public Security uses in residence-permit numbers for
#: residents of Hong Kong (81), Macao (82) and Taiwan (83) (港澳台居民居住证,
#: 国办发〔2018〕81号). 71 is GB/T 2260's code for Taiwan province.
#: Not included: prefixes starting with 9 (2023 foreigners' permanent residence
#: ID card, ``9`` + province code), because foreigners cannot join 城乡居保.
PROVINCE_CODES: Final = frozenset(
    {
        "11", "12", "13", "14", "15",
        "21", "22", "23",
        "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46",
        "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65",
        "71", "81", "82", "83",
    }
)  # fmt: skip

_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS: Final = "10X98765432"  # indexed by (weighted sum mod 11)
_EARLIEST_BIRTH: Final = date(1880, 1, 1)
_DIGITS: Final = frozenset("0123456789")
_ID_IN_TEXT: Final = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9])")
# Masking looks for people's numbers wherever they are issued (foreigners' permanent
# residence cards start with 9), so it checks structure, not the province list.
_MASK_BIRTH_YEARS: Final = range(1800, 2100)
# Logs take any run of digits (ASCII, full-width, any script: str patterns' \d) long enough
# to be somebody's number, however it was typed: 15 digits or more, or 14 or more and an X
# (an 18-character number missing a digit); and the same number written in groups, as
# printed or read aloud (6-8-4, fours), the groups joined by one space or dash (ASCII or
# full width, or a URL's +, %20, %2D, as aiohttp's access log writes the request line).
# One pass; the lookahead skips, cheaply, the many shorter numbers of a log line.
_SEPARATOR: Final = r"(?:[ \u3000\-\uff0d+]|%20|%2[Dd])"
_NUMBER_IN_TEXT: Final = re.compile(
    rf"(?<!\d)(?=[\d \u3000\-\uff0d+%DdXxＸｘ]{{15}})\d+(?:{_SEPARATOR}\d+)*[XxＸｘ]?(?!\d)"
)
_SEPARATED: Final = re.compile(f"({_SEPARATOR})")
# A number also reaches a log percent-encoded, ASCII (%34) or full-width (%EF%BC%94)
# digits: a path or cursor a client or proxy encoded twice keeps one encoding after
# aiohttp's decoding, and a message may quote a raw URL. Each decoding round shortens
# the text; a bound keeps a crafted %252525… from costing a round per character.
_DECODING_ROUNDS: Final = 8


class InvalidResidentId(ValueError):
    """A resident ID number is malformed; the message says why, never the number."""


def check_character(first17: str) -> str:
    """Compute the ISO 7064 MOD 11-2 check character for the first 17 digits.

    Raises:
        InvalidResidentId: if ``first17`` is not exactly 17 ASCII digits.
    """
    if len(first17) != 17:
        raise InvalidResidentId("wrong length")
    if not _DIGITS.issuperset(first17):
        raise InvalidResidentId("non-digit character")
    total = sum(map(mul, map(int, first17), _WEIGHTS))  # every pushed message: keep it in C
    return _CHECK_CHARS[total % 11]


def _birth_date(yyyymmdd: str, today: date) -> date:
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        raise InvalidResidentId("birth date is not a real date") from None
    if born > today:
        raise InvalidResidentId("birth date in the future")
    if born < _EARLIEST_BIRTH:
        raise InvalidResidentId("birth date before 1880")
    return born


def birth_date_of(id_number: str) -> date:
    """The birth date written in an 18-character number already validated.

    Raises:
        InvalidResidentId: if the birth date part is not a real date.
    """
    try:
        return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        raise InvalidResidentId("birth date is not a real date") from None


def validate_resident_id(value: str, *, today: date | None = None) -> str:
    """Validate an 18-character resident ID number and return it normalised.

    A trailing lower-case ``x`` is normalised to ``X``. Fifteen-digit legacy
    numbers are refused here; convert them with :func:`upgrade_legacy_id`.

    Args:
        value: the candidate number.
        today: the date birth dates may not exceed; defaults to today in UTC+8.

    Raises:
        InvalidResidentId: naming the first rule the number breaks.
    """
    if len(value) != 18:
        raise InvalidResidentId("wrong length")
    first17, last = value[:17], value[17].upper()
    if not _DIGITS.issuperset(first17) or last not in _DIGITS | {"X"}:
        raise InvalidResidentId("non-digit character")
    if first17[:2] not in PROVINCE_CODES:
        raise InvalidResidentId("unknown province code")
    _birth_date(first17[6:14], shanghai_today() if today is None else today)
    if check_character(first17) != last:
        raise InvalidResidentId("check character mismatch")
    return first17 + last


def upgrade_legacy_id(id15: str, *, today: date | None = None) -> str:
    """Convert a 15-digit legacy number (YYMMDD birth date, 19xx) to 18 characters.

    The century ``19`` is inserted before the birth date and the check
    character appended; the result is then validated as a whole.

    Raises:
        InvalidResidentId: if the input is not 15 digits or the result is invalid.
    """
    if len(id15) != 15:
        raise InvalidResidentId("wrong length")
    if not _DIGITS.issuperset(id15):
        raise InvalidResidentId("non-digit character")
    first17 = id15[:6] + "19" + id15[6:]
    return validate_resident_id(first17 + check_character(first17), today=today)


def mask_resident_id(value: str) -> str:
    """Mask an ID number for display: first 6 and last 2 characters kept.

    ``440102199001011234`` becomes ``440102**********34``. Strings that are
    neither 15 nor 18 characters long are replaced by stars entirely, so a
    malformed number can never leak.
    """
    if len(value) not in (15, 18):
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 8) + value[-2:]


def mask_ids_in_text(text: str) -> str:
    """Mask every real ID number in ``text``, and nothing else.

    A candidate is a run of 17 digits and a digit or ``X``/``x``, or of 15
    digits, bounded by non-digits. It is masked only if it is an ID number's
    structure: an 18-character one needs a real birth date and a matching
    ISO 7064 check character; a 15-digit legacy one (no check character) a
    known province code and a real 19YYMMDD birth date. So message ids,
    serials and timestamps that merely hold many digits stay readable in
    logs. Used by log filters and error messages.
    """
    return _ID_IN_TEXT.sub(_mask_if_id, text)


def mask_numbers_for_logs(text: str) -> str:
    """Mask every run of digits in ``text`` that could be an ID number, well-formed or not.

    Unlike :func:`mask_ids_in_text`, nothing is checked: a number typed with a
    wrong check character, a digit too many or too few, in full width
    (``４４０８…Ｘ``) or as a 15-digit legacy number is still a person's
    number, and a log must not keep it. A run of 15 or more digits (ASCII or
    any other script's), or of 14 or more ending in ``X``/``x``/``Ｘ``/``ｘ``,
    keeps its first 6 and last 2 characters, the rest starred as
    :func:`mask_resident_id` does, and so does one written in groups joined
    by a space or dash (``440823 19500101 1231``, or a URL's ``+``/``%20``)
    holding as many in all; shorter numbers (amounts, dates, serials, ports)
    stay readable. A number hidden in percent-encoding (``%34%34…``,
    ``%EF%BC%94…``, encoded once or more) is masked too: then the text is
    written decoded, the number starred; text whose encoding hides no number
    is kept as it was. Used by the JSON log formatter.
    """
    masked = _NUMBER_IN_TEXT.sub(_mask_groups, text)
    if "%" not in masked:
        return masked
    # The text decoded, then masked: a number whose tail alone was encoded (``…011%32%33%31``)
    # is one number here, where masking first starred its plain part as a number of its own
    # and left the tail readable. Equal to the masked text decoded: the encoding hid nothing.
    revealed = _percent_decoded(text)
    remasked = _NUMBER_IN_TEXT.sub(_mask_groups, revealed)
    if remasked == revealed or (masked != text and remasked == _percent_decoded(masked)):
        return masked
    return remasked


def _percent_decoded(text: str) -> str:
    """``text`` percent-decoded until nothing changes (at most a few rounds)."""
    for _ in range(_DECODING_ROUNDS):
        decoded = unquote(text)
        if decoded == text:
            break
        text = decoded
    return text


def _mask_groups(match: re.Match[str]) -> str:
    """A run or groups of digits long enough together to be a number (15 characters, a
    final X counting as one): its first 6 and last 2 kept, the separators as they were."""
    parts = _SEPARATED.split(match.group())  # groups at even places, separators between
    length = sum(len(group) for group in parts[::2])
    if length < 15:
        return match.group()
    seen, masked = 0, []
    for place, part in enumerate(parts):
        if place % 2:
            masked.append(part)
            continue
        for char in part:
            seen += 1
            masked.append(char if seen <= 6 or seen > length - 2 else "*")
    return "".join(masked)


def _mask_if_id(match: re.Match[str]) -> str:
    found = match.group()
    return mask_resident_id(found) if _looks_issued(found) else found


def _looks_issued(candidate: str) -> bool:
    if len(candidate) == 15:
        birth, real = "19" + candidate[6:12], candidate[:2] in PROVINCE_CODES
    else:
        birth = candidate[6:14]
        real = check_character(candidate[:17]) == candidate[17].upper()
    if not real or int(birth[:4]) not in _MASK_BIRTH_YEARS:
        return False
    try:
        date(int(birth[:4]), int(birth[4:6]), int(birth[6:8]))
    except ValueError:
        return False
    return True


def _validate_for_pydantic(value: str, info: ValidationInfo) -> str:
    # "today" follows the validation's "now" (context={"now": ...}), like every date rule
    now = info.context.get("now") if isinstance(info.context, dict) else None
    if isinstance(now, datetime) and now.tzinfo is not None:
        return validate_resident_id(value, today=now.astimezone(CHINA_STANDARD_TIME).date())
    return validate_resident_id(value)


ResidentId = Annotated[
    str,
    AfterValidator(_validate_for_pydantic),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": "^[0-9]{17}[0-9Xx]$",
            "description": "18-character resident ID number (GB 11643), "
            "ISO 7064 MOD 11-2 check character; lower-case x is normalised to X",
        }
    ),
]
"""An 18-character resident ID number, validated by :func:`validate_resident_id`."""
