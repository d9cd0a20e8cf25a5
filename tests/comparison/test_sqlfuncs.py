"""The SQL ID-number rules equal schemas.resident_id's; the SQL name key equals Python's."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from certhub.hub.comparison.sqlfuncs import install_macros, normalise_name
from certhub.schemas import validate_resident_id
from certhub.schemas.resident_id import InvalidResidentId, check_character

TODAY = date(2026, 12, 1)


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    install_macros(connection)
    return connection


def _python_valid(value: str) -> bool:
    try:
        validate_resident_id(value, today=TODAY)
    except InvalidResidentId:
        return False
    return value == value.upper()  # the engine upper-cases before it checks


first17 = st.builds(
    lambda area, birth, seq: f"{area}{birth:%Y%m%d}{seq:03d}",
    st.sampled_from(["440103", "445302", "110105", "990000", "710000", "000000"]),
    st.dates(date(1870, 1, 1), date(2030, 12, 31)),
    st.integers(0, 999),
)
numbers = st.one_of(
    first17.map(lambda f: f + check_character(f)),  # well-formed: only the date may be wrong
    st.builds(lambda f, c: f + c, first17, st.sampled_from("0123456789Xx")),
    st.text(alphabet="0123456789X", min_size=15, max_size=19),
    st.text(min_size=0, max_size=20),
    st.builds(lambda f: f[:8] + "1332" + f[12:] + "0", first17),  # month 13
)


@given(numbers)
def test_sql_validity_equals_the_schema_validator(
    con: duckdb.DuckDBPyConnection, value: str
) -> None:
    got = con.execute("SELECT id_valid(?, ?)", [value, TODAY]).fetchone()
    assert got == (_python_valid(value),)


# First 17 characters DuckDB's try_cast reads as a number although they are not 17
# digits; the exponent's number has a province's two first digits and its own check
# character: only comparing the number written out with the text refuses it.
NUMBER_LOOKALIKES = [
    "4.400019600101e16" + check_character("44000196001010000"),  # born 1960-01-01
    "44000e12" + "196001010" + check_character("44000000000000000"),
    "+4401031960101000" + check_character("04401031960101000"),
    " 4401031960101000" + check_character("04401031960101000"),
    "4401_031960101000" + check_character("04401031960101000"),
    "440103196010100.0" + "0",
]


@pytest.mark.parametrize("value", NUMBER_LOOKALIKES)
def test_numbers_only_try_cast_reads_are_invalid(
    con: duckdb.DuckDBPyConnection, value: str
) -> None:
    assert not _python_valid(value)
    assert con.execute("SELECT id_valid(?, ?)", [value, TODAY]).fetchone() == (False,)


@given(first17)
def test_sql_check_character_equals_the_schema(con: duckdb.DuckDBPyConnection, f: str) -> None:
    assert con.execute("SELECT id_check(?)", [f]).fetchone() == (check_character(f),)


names = st.text(
    alphabet=st.sampled_from(list("陈大文买提艾力𠮷䶮·•・．. \u3000ＡＢａb１1")),
    min_size=1,
    max_size=12,
)


@given(names)
def test_sql_name_key_equals_python(con: duckdb.DuckDBPyConnection, name: str) -> None:
    assert con.execute("SELECT name_key(?)", [name]).fetchone() == (normalise_name(name),)


def test_name_variants_meet() -> None:
    assert normalise_name("买买提•艾力") == normalise_name("买买提·艾力") == "买买提·艾力"
    assert normalise_name("陈\u3000大文") == normalise_name("陈 大文") == "陈大文"
    assert normalise_name("ＬＩ　Ｍｉｎｇ") == "LIMING"
