"""Guangdong administrative division codes (GB/T 2260) and village codes.

The code list ships as package data (``data/guangdong_counties.csv``; its header
comments name the source and date). A report's region must be a *current*
county-level unit. Cities without county-level units (东莞市 441900, 中山市
442000) use their own code as the county code, since their towns and villages
hang directly below the city in the statistical division codes.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Annotated, Final

from pydantic import AfterValidator, WithJsonSchema

__all__ = [
    "GUANGDONG_COUNTIES",
    "CountyCode",
    "UnknownRegion",
    "VillageCode",
    "city_code_of",
    "city_name",
    "county_name",
    "validate_county_code",
    "validate_village_code",
]


class UnknownRegion(ValueError):
    """A region code is malformed or not a current Guangdong division."""


@dataclass(frozen=True, slots=True)
class _CodeList:
    counties: Mapping[str, str]
    cities: Mapping[str, str]


def _load() -> _CodeList:
    data = resources.files(__package__ or "certhub.schemas").joinpath("data/guangdong_counties.csv")
    text = data.read_text("utf-8")
    rows = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    cities = {row["city_code"]: row["city_name"] for row in rows}
    with_children = {row["city_code"] for row in rows if row["code"] != row["city_code"]}
    counties = {
        row["code"]: row["name"]
        for row in rows
        if row["code"] != row["city_code"] or row["code"] not in with_children
    }
    return _CodeList(MappingProxyType(counties), MappingProxyType(cities))


_CODES: Final = _load()

GUANGDONG_COUNTIES: Final[Mapping[str, str]] = _CODES.counties
"""Current county-level codes of Guangdong (code → Chinese name), read-only."""


def county_name(code: str) -> str:
    """Return the Chinese name of a current Guangdong county-level code.

    Raises:
        UnknownRegion: if the code is not in the shipped list.
    """
    try:
        return GUANGDONG_COUNTIES[code]
    except KeyError:
        raise UnknownRegion("unknown county code") from None


def city_code_of(county_code: str) -> str:
    """Return the prefecture-level city code (first 4 digits + ``00``) of a county.

    Raises:
        UnknownRegion: if ``county_code`` is not a current county-level code.
    """
    county_name(county_code)
    return county_code[:4] + "00"


def city_name(city_code: str) -> str:
    """Return the Chinese name of a Guangdong prefecture-level city code.

    Raises:
        UnknownRegion: if the code is not one of the 21 cities.
    """
    try:
        return _CODES.cities[city_code]
    except KeyError:
        raise UnknownRegion("unknown city code") from None


def validate_county_code(value: str) -> str:
    """Check that ``value`` is a current Guangdong county-level code.

    Raises:
        UnknownRegion: if it is malformed, unknown, or a city with counties.
    """
    if len(value) != 6 or not value.isascii() or not value.isdigit():
        raise UnknownRegion("county code must be 6 digits")
    if value not in GUANGDONG_COUNTIES:
        if value in _CODES.cities:
            raise UnknownRegion("city-level code where a county code is required")
        raise UnknownRegion("unknown county code")
    return value


def validate_village_code(value: str) -> str:
    """Check a 12-digit statistical village code whose first 6 digits are a county.

    Raises:
        UnknownRegion: if it is not 12 ASCII digits or its county is unknown.
    """
    if len(value) != 12 or not value.isascii() or not value.isdigit():
        raise UnknownRegion("village code must be 12 digits")
    validate_county_code(value[:6])
    return value


CountyCode = Annotated[
    str,
    AfterValidator(validate_county_code),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": "^44[0-9]{4}$",
            "description": "current Guangdong county-level code (GB/T 2260)",
        }
    ),
]
"""A current Guangdong county-level division code (6 digits)."""

VillageCode = Annotated[
    str,
    AfterValidator(validate_village_code),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": "^44[0-9]{10}$",
            "description": "12-digit statistical village/community code within a county",
        }
    ),
]
"""A 12-digit statistical village code whose first 6 digits are a :data:`CountyCode`."""
