"""Where "near my village" is: county seats, and any longer region code resolved to its county.

The e-map offers "nearest to a chosen village or county" for people without
a position fix (no GPS, or permission refused) and for the coordinators'
app, which knows a pensioner's village code but not where the house is.
``data/places.csv`` holds the seat of each county (WGS-84); a 9-digit town
or 12-digit village code resolves to its county's seat by longest prefix,
so a finer gazetteer only needs more rows, not new code.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from certhub.schemas import county_name


@dataclass(frozen=True, slots=True)
class Place:
    """A named place with a position to search from."""

    code: str
    name: str
    lat: float
    lon: float


@cache
def places() -> tuple[Place, ...]:
    """Every place of the gazetteer, by code."""
    text = files("certhub.hub.service_points").joinpath("data/places.csv").read_text("utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    found = [
        Place(row["code"], county_name(row["code"]), float(row["lat"]), float(row["lon"]))
        for row in rows
    ]
    return tuple(sorted(found, key=lambda place: place.code))


def resolve(code: str) -> Place | None:
    """The place for a region code: itself, or the longest gazetteer code it starts with."""
    if not (code.isascii() and code.isdigit() and 6 <= len(code) <= 12):
        return None
    known = {place.code: place for place in places()}
    for length in range(len(code), 5, -1):
        if (place := known.get(code[:length])) is not None:
            return place
    return None
