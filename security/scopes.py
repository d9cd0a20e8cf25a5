"""Area scopes: the part of the province a trust-store key, and the read tokens it mints, may read.

An area is a Guangdong region code read as a prefix of the records' region codes:

================  ============  ==============================================
code              example       prefix (what it reads)
================  ============  ==============================================
city, 6 digits    ``445300``    ``4453`` — every county of the city
county, 6 digits  ``445302``    ``445302`` — the county
town, 9 digits    ``445302001`` ``445302001`` — the town's villages
village, 12       ``445302001001`` the village
================  ============  ==============================================

A record's region is its 12-digit village code when it has one, else its
6-digit county code (a village code always starts with its county's). A
record is in an area when its region starts with the area's prefix, so a
village key never reads a county-level record, and a record with no region
at all is read only by province-wide readers (``area is None``).

This module is the one place that decides it: every read endpoint filters
with :func:`area_condition` (lists, in SQL) or :func:`in_area` (one record),
so a new endpoint applies a reader's area in one line::

    reader = require_reader(request)
    where, params = area_condition(reader.area)          # a list, in SQL
    if not in_area(reader.area, county, village):         # one record
        raise Problem("not-found", "no such record")      # never 403: no leak
"""

from __future__ import annotations

from dataclasses import dataclass

from certhub.schemas.regions import (
    GUANGDONG_COUNTIES,
    UnknownRegion,
    city_name,
    validate_county_code,
    validate_village_code,
)

__all__ = ["AreaScope", "area_condition", "in_area", "parse_area"]

_COUNTY_DIGITS = 6
_TOWN_DIGITS = 9
_VILLAGE_DIGITS = 12


@dataclass(frozen=True, slots=True)
class AreaScope:
    """A region a reader is confined to: the code as configured and the prefix it stands for."""

    code: str
    prefix: str

    def contains(self, other: AreaScope) -> bool:
        """Tell whether ``other`` lies inside this area (an area contains itself)."""
        return other.prefix.startswith(self.prefix)

    def admits(self, county: str | None, village: str | None) -> bool:
        """Tell whether a record of this county and village (either may be None) is inside."""
        region = village or county
        return region is not None and region.startswith(self.prefix)

    def __str__(self) -> str:
        return self.code


def parse_area(code: object) -> AreaScope:
    """The area a region code names: a city, county, town or village of Guangdong.

    Raises:
        ValueError: not a string of 6, 9 or 12 digits naming a current
            Guangdong city, county, or a town or village inside a county.
    """
    if not isinstance(code, str) or not code.isascii() or not code.isdigit():
        raise UnknownRegion("an area is a 6-, 9- or 12-digit region code")
    if len(code) == _COUNTY_DIGITS:
        if code in GUANGDONG_COUNTIES:  # 东莞/中山 are both city and county: county wins
            return AreaScope(code, code)
        city_name(code)  # raises UnknownRegion for anything but one of the 21 cities
        return AreaScope(code, code[:4])
    if len(code) == _TOWN_DIGITS:
        validate_county_code(code[:_COUNTY_DIGITS])
        return AreaScope(code, code)
    if len(code) == _VILLAGE_DIGITS:
        return AreaScope(validate_village_code(code), code)
    raise UnknownRegion("an area is a 6-, 9- or 12-digit region code")


def in_area(area: AreaScope | None, county: str | None, village: str | None) -> bool:
    """Tell whether a reader confined to ``area`` may see a record of this county/village.

    ``area=None`` is a province-wide reader: everything is in. Use it for
    one-record reads; a record outside is answered like a missing one (404),
    so its existence does not leak.
    """
    return area is None or area.admits(county, village)


def area_condition(
    area: AreaScope | None, *, county: str = "county", village: str = "village"
) -> tuple[str, tuple[object, ...]]:
    """A SQL condition (``?`` placeholders) true for the rows inside ``area``, and its parameters.

    Args:
        area: the reader's area; ``None`` (province-wide) gives ``1=1``.
        county: the SQL expression of the row's 6-digit county code.
        village: the SQL expression of the row's 12-digit village code (may be NULL).

    Returns:
        ``(condition, params)`` to join with ``AND`` into a query; the same
        text works on SQLite and PostgreSQL. A row with neither code is out.
    """
    if area is None:
        return "1=1", ()
    # A prefix as a range, so an index on the region (the ledger's ledger_region) serves it:
    # region codes are ASCII digits, and ":" sorts right after "9" in both dialects
    # (byte order: SQLite's BINARY, PostgreSQL's COLLATE "C").
    region = f"coalesce({village}, {county})"
    return f"{region} >= ? AND {region} < ?", (area.prefix, area.prefix + ":")
