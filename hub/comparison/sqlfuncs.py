"""SQL macros the comparison runs in DuckDB: ID-number validity and name keys.

The comparison never loops over rows in Python, so the rules of
:mod:`certhub.schemas.resident_id` are written once more in SQL. A property test
(tests/comparison/test_sqlfuncs.py) proves the two agree on generated numbers,
so the SQL cannot drift from the schema's own validator.
"""

from __future__ import annotations

from typing import Final

import duckdb

from certhub.hub.comparison.catalogue import DEPARTMENTS, VOID_KIND
from certhub.schemas.resident_id import PROVINCE_CODES

__all__ = ["install_macros", "normalise_name", "sql_path"]


# Middle-dot variants people and systems type for the separator in names such as
# 买买提·艾力: all are read as U+00B7.
_DOTS: Final = "•・．‧･∙⋅.。︒﹒"
# Every kind of space is dropped: "陈 大文" and "陈大文" are one name.
_SPACES: Final = " \u3000\u00a0\t"
_FULL_WIDTH: Final = "".join(chr(c) for c in range(0xFF01, 0xFF5F))
_HALF_WIDTH: Final = "".join(chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F))


def normalise_name(name: str) -> str:
    """The name key used for name-only matching (Python twin of the SQL ``name_key``).

    Full-width forms become half-width, spaces vanish, every dot variant becomes
    ``·`` and Latin letters are upper-cased; Chinese characters stay as written.
    """
    table = str.maketrans(_FULL_WIDTH + _DOTS, _HALF_WIDTH + "·" * len(_DOTS))
    half = name.translate(table)
    half = half.translate(str.maketrans("", "", _SPACES)).replace(".", "·")
    return half.upper()


def sql_path(path: object) -> str:
    """A file path as an SQL string literal (quotes doubled: a folder may be named anything)."""
    return "'" + str(path).replace("'", "''") + "'"


def _check_sum_sql(arg: str) -> str:
    """Σ digit·weight mod 11 of the 17-digit number ``arg``, with 16 integer divisions.

    The weights are 2^(17-i) mod 11, so the sum is 2·G mod 11 where G reads the
    decimal digits as if they were binary places: G = Σ d_j·2^j. Writing
    ``arg // 10^m`` for the number without its last m digits, G = arg − Σ_m
    2^(m+2)·(arg // 10^m) for m = 1..16 (each digit j gets 10^j − Σ_{m≤j}
    2^(m+2)·10^(j−m) = 2^j). Digit by digit — ``(arg // 10^k) % 10`` times its
    weight — took 34 divisions and 1.7x the time; integer arithmetic on the
    number was itself about 3x faster than 17 ``substr()``s.
    """
    terms = " - ".join(f"{2 ** (m + 2)} * ({arg} // {10**m})" for m in range(1, 17))
    return f"CAST((2 * ({arg} - {terms})) % 11 AS INTEGER)"


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Create the ID-number and name macros on ``con``.

    ``id_valid(s, today)`` and ``id_check(s)`` work on the text; in bulk, compute
    ``n17 = id17_number(s)`` once as a column and call ``id_valid_n(s, n17, today)``
    and ``id_check_n(n17)``: a macro's argument is re-evaluated at each use
    (``id_valid_nb(s, n17, birth, today)`` takes ``birth = id_birth(s)`` as a column too).
    ``id_birth(s)`` is the birth date, ``name_key(s)`` the key of name-only matching.
    """
    # A feed row's department, kind and grade as one byte each, not text: at millions
    # of rows the checked feeds are the run's largest table (43 of 132 MB a million).
    enums = {
        "feed_department": sorted(DEPARTMENTS),
        "feed_kind": sorted({k for d in DEPARTMENTS.values() for k in d.kinds} | {VOID_KIND}),
        "feed_grade": sorted({d.grade for d in DEPARTMENTS.values()}),
    }
    for name, values in enums.items():
        listed = ", ".join(f"'{v}'" for v in values)
        con.execute(f"CREATE TYPE IF NOT EXISTS {name} AS ENUM ({listed})")
    fw, hw = _FULL_WIDTH.replace("'", "''"), _HALF_WIDTH.replace("'", "''")
    con.execute("CREATE OR REPLACE MACRO id17_number(s) AS try_cast(substr(s, 1, 17) AS BIGINT)")
    check = f"substr('10X98765432', {_check_sum_sql('n')} + 1, 1)"
    con.execute(f"CREATE OR REPLACE MACRO id_check_n(n) AS {check}")
    con.execute("CREATE OR REPLACE MACRO id_check(s) AS id_check_n(id17_number(s))")
    con.execute(
        "CREATE OR REPLACE MACRO id_birth(s) AS "
        "CAST(try_strptime(substr(s, 7, 8), '%Y%m%d') AS DATE)"
    )
    # validate_resident_id's checks: length, characters, province, a real birth date
    # from 1880 to today, then the ISO 7064 MOD 11-2 character. On the integer n of the
    # first 17 characters: their two first digits are n's (a province code never starts
    # with 0), and they are 17 digits exactly when n, written out, is them (a sign, a
    # space or a decimal point try_cast accepts is not in n's decimal form); the 18th is
    # [0-9X] when it is n's check character. A regular expression and a text IN list
    # cost 1.3x as much (1.2 against 1.0 CPU s for 3.9 million numbers).
    first_two = ", ".join(sorted(PROVINCE_CODES))
    con.execute(
        "CREATE OR REPLACE MACRO id_valid_nb(s, n, birth, today) AS coalesce("
        f"length(s) = 18 AND n // {10**15} IN ({first_two})"
        " AND CAST(n AS VARCHAR) = substr(s, 1, 17)"
        " AND birth BETWEEN DATE '1880-01-01' AND today"
        " AND id_check_n(n) = substr(s, 18, 1)"
        ", false)"
    )
    con.execute(
        "CREATE OR REPLACE MACRO id_valid_n(s, n, today) AS id_valid_nb(s, n, id_birth(s), today)"
    )
    con.execute(
        "CREATE OR REPLACE MACRO id_valid(s, today) AS id_valid_n(s, id17_number(s), today)"
    )
    dots = _DOTS.replace("'", "''")
    con.execute(
        "CREATE OR REPLACE MACRO name_key(s) AS upper(replace(regexp_replace("
        f"translate(s, '{fw}{dots}', '{hw}{'·' * len(_DOTS)}'),"
        " '[ \u3000\u00a0\t]', '', 'g'), '.', '·'))"
    )
