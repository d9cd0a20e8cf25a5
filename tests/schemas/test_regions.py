"""Guangdong region codes (GB/T 2260) shipped as package data."""

from __future__ import annotations

from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from certhub.schemas import (
    GUANGDONG_COUNTIES,
    CountyCode,
    RegionRef,
    UnknownRegion,
    VillageCode,
    city_code_of,
    city_name,
    county_name,
)

county = TypeAdapter(CountyCode)
village = TypeAdapter(VillageCode)


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("440103", "荔湾区"),
        ("445302", "云城区"),
        ("440309", "龙华区"),
        ("441403", "梅县区"),
        ("445381", "罗定市"),
        ("441900", "东莞市"),  # no county level: the city code is the county code
        ("442000", "中山市"),
    ],
)
def test_known_codes(code: str, name: str) -> None:
    assert county.validate_python(code) == code
    assert county_name(code) == name


def test_list_has_122_county_units_plus_dongguan_and_zhongshan() -> None:
    assert len(GUANGDONG_COUNTIES) == 124
    assert all(code.startswith("44") and len(code) == 6 for code in GUANGDONG_COUNTIES)
    assert len({city_code_of(code) for code in GUANGDONG_COUNTIES}) == 21


def test_mapping_is_read_only() -> None:
    with pytest.raises(TypeError):
        GUANGDONG_COUNTIES["449999"] = "x"  # type: ignore[index]


def test_csv_names_its_source() -> None:
    data = resources.files("certhub.schemas").joinpath("data/guangdong_counties.csv")
    text = data.read_text("utf-8")
    assert text.startswith("# source: GB/T 2260")
    assert "2023" in text.splitlines()[0]


@pytest.mark.parametrize(
    "code",
    ["449999", "440100", "445300", "440102", "440122", "4401031", "44010", "44０103", "", "abcdef"],
)
def test_bad_county_codes(code: str) -> None:
    with pytest.raises(ValidationError):
        county.validate_python(code)


def test_city_code_as_county_says_so() -> None:
    with pytest.raises(ValidationError, match="city-level code"):
        county.validate_python("440100")


def test_city_helpers() -> None:
    assert city_code_of("445302") == "445300"
    assert city_name("445300") == "云浮市"
    assert city_name(city_code_of("440103")) == "广州市"
    with pytest.raises(UnknownRegion):
        city_code_of("449999")
    with pytest.raises(UnknownRegion):
        city_name("449900")
    with pytest.raises(UnknownRegion):
        county_name("440100")


@given(st.sampled_from(sorted(GUANGDONG_COUNTIES)), st.text("0123456789", min_size=6, max_size=6))
def test_village_codes_under_known_counties(code: str, tail: str) -> None:
    assert village.validate_python(code + tail) == code + tail
    assert RegionRef(county=code, village=code + tail).village == code + tail


@pytest.mark.parametrize("code", ["449999001001", "44010300100", "4401030010011", "44010300100a"])
def test_bad_village_codes(code: str) -> None:
    with pytest.raises(ValidationError):
        village.validate_python(code)


def test_village_must_lie_in_county() -> None:
    with pytest.raises(ValidationError, match="does not belong"):
        RegionRef(county="440103", village="440104001001")
    assert RegionRef(county="440103").village is None
