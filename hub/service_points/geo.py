"""Great-circle distance, search boxes, and the WGS-84 → GCJ-02 display shift.

Coordinates are stored and searched in WGS-84 (what GPS and the browser's
Geolocation API give). GCJ-02 is the obfuscated datum that Chinese base maps
(AutoNavi/Amap, Tencent) are drawn in; a WGS-84 pin on such a map lands
100–700 m off. :func:`wgs84_to_gcj02` is the published forward transform
(the one eviltransform and coordtransform implement), used for display only:
nothing is ever stored or searched in GCJ-02. ``static/gcj02.js`` is the same
function for the map page; the tests hold both to the same reference points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

EARTH_RADIUS_M: Final = 6_371_008.8
"""The IUGG mean Earth radius, for the haversine distance."""
HALF_CIRCUMFERENCE_M: Final = math.pi * EARTH_RADIUS_M
"""No two points on the sphere are farther apart than this."""

# GCJ-02 works on the Krasovsky 1940 ellipsoid.
_KRASOVSKY_A: Final = 6378245.0
_KRASOVSKY_EE: Final = 0.00669342162296594323


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two WGS-84 points (degrees)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    # min(): rounding can push h a hair above 1 for antipodal points.
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True, slots=True)
class Box:
    """A latitude/longitude box; ``west > east`` never occurs (a box over ±180° is split)."""

    south: float
    north: float
    west: float
    east: float


def search_boxes(lat: float, lon: float, radius_m: float) -> tuple[Box, ...]:
    """Boxes that together contain every point within ``radius_m`` of (lat, lon).

    The latitude span is exact (radius / R); the longitude half-width is the
    widest the circle gets, asin(sin(r/R) / cos φ). A circle that reaches a
    pole covers every longitude; one that crosses the antimeridian is two boxes.
    """
    angle = radius_m / EARTH_RADIUS_M
    dlat = math.degrees(angle)
    south, north = max(-90.0, lat - dlat), min(90.0, lat + dlat)
    if north >= 90.0 or south <= -90.0 or angle >= math.pi / 2:
        return (Box(south, north, -180.0, 180.0),)
    ratio = math.sin(angle) / math.cos(math.radians(lat))
    if ratio >= 1.0:
        return (Box(south, north, -180.0, 180.0),)
    dlon = math.degrees(math.asin(ratio))
    west, east = lon - dlon, lon + dlon
    if west < -180.0:
        return (Box(south, north, west + 360.0, 180.0), Box(south, north, -180.0, east))
    if east > 180.0:
        return (Box(south, north, west, 180.0), Box(south, north, -180.0, east - 360.0))
    return (Box(south, north, west, east),)


def out_of_china(lat: float, lon: float) -> bool:
    """Whether GCJ-02 leaves this point unshifted (the transform's published rectangle)."""
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """The GCJ-02 (lat, lon) a Chinese base map draws the WGS-84 point (lat, lon) at."""
    if out_of_china(lat, lon):
        return lat, lon
    x, y = lon - 105.0, lat - 35.0
    dlat = _shift_lat(x, y)
    dlon = _shift_lon(x, y)
    rad = math.radians(lat)
    magic = 1 - _KRASOVSKY_EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_KRASOVSKY_A * (1 - _KRASOVSKY_EE)) / (magic * sqrt_magic) * math.pi)
    dlon = (dlon * 180.0) / (_KRASOVSKY_A / sqrt_magic * math.cos(rad) * math.pi)
    return lat + dlat, lon + dlon


def _shift_lat(x: float, y: float) -> float:
    shift = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    shift += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    shift += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    shift += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2 / 3
    return shift


def _shift_lon(x: float, y: float) -> float:
    shift = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    shift += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    shift += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    shift += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2 / 3
    return shift
