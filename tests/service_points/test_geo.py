"""Distances, search boxes and the GCJ-02 shift against independently published values."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certhub.hub.service_points.geo import (
    EARTH_RADIUS_M,
    haversine_m,
    out_of_china,
    search_boxes,
    wgs84_to_gcj02,
)

# (WGS-84 lat, lon) -> (GCJ-02 lat, lon), as published: the first three are the test points
# of googollee/eviltransform (go/transform_test.go: Shanghai, Shenzhen, Beijing), the last
# is the README example of wandergis/coordtransform (wgs84togcj02(116.404, 39.915)).
REFERENCE = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),
    ((39.915, 116.404), (39.91640428150164, 116.41024449916938)),
]


@pytest.mark.parametrize(("wgs", "gcj"), REFERENCE)
def test_the_shift_matches_the_published_reference_points(
    wgs: tuple[float, float], gcj: tuple[float, float]
) -> None:
    lat, lon = wgs84_to_gcj02(*wgs)
    assert lat == pytest.approx(gcj[0], abs=1e-12)
    assert lon == pytest.approx(gcj[1], abs=1e-12)


def test_points_outside_china_are_unchanged() -> None:
    for point in ((51.4779, -0.0015), (35.6812, 139.7671), (-33.8688, 151.2093), (0.0, 0.0)):
        assert wgs84_to_gcj02(*point) == point
    # The published rectangle's edges: just outside is unchanged, just inside is shifted.
    assert wgs84_to_gcj02(30.0, 72.0039) == (30.0, 72.0039)
    assert wgs84_to_gcj02(30.0, 72.0041) != (30.0, 72.0041)
    assert wgs84_to_gcj02(55.8272, 100.0) == (55.8272, 100.0)


latitudes = st.floats(-90, 90, allow_nan=False)
longitudes = st.floats(-180, 180, allow_nan=False)


@given(latitudes, longitudes)
def test_anywhere_outside_the_rectangle_the_shift_is_zero(lat: float, lon: float) -> None:
    if out_of_china(lat, lon):
        assert wgs84_to_gcj02(lat, lon) == (lat, lon)


@given(st.floats(20.2, 25.5), st.floats(109.7, 117.3))
def test_in_guangdong_a_pin_moves_between_400_and_700_metres(lat: float, lon: float) -> None:
    assert 400 < haversine_m(lat, lon, *wgs84_to_gcj02(lat, lon)) < 700


@given(st.floats(18.0, 45.0), st.floats(100.0, 125.0))
def test_across_eastern_china_the_shift_is_100_to_700_metres(lat: float, lon: float) -> None:
    # The quoted "100-700 m" holds east of 100° E; on the Tibetan plateau (36° N, 98° E)
    # the shift falls to about 60 m, and near the rectangle's far corners to a few metres.
    assert 100 < haversine_m(lat, lon, *wgs84_to_gcj02(lat, lon)) < 700


def test_haversine_against_values_worked_by_hand() -> None:
    one_degree = EARTH_RADIUS_M * math.pi / 180  # 111,195.08 m on the mean sphere
    assert haversine_m(0, 0, 0, 1) == pytest.approx(111_195.08, abs=0.01)
    assert haversine_m(0, 0, 1, 0) == pytest.approx(one_degree)
    assert haversine_m(0, 0, 0, 180) == pytest.approx(math.pi * EARTH_RADIUS_M)
    assert haversine_m(90, 0, -90, 0) == pytest.approx(math.pi * EARTH_RADIUS_M)
    assert haversine_m(60, 10, 60, 10) == 0
    # Along a parallel: 1° of longitude at 60° N is half a degree of the equator, nearly.
    assert haversine_m(60, 0, 60, 1) == pytest.approx(one_degree / 2, rel=1e-4)


@given(latitudes, longitudes, latitudes, longitudes)
def test_haversine_is_symmetric_and_bounded(a: float, b: float, c: float, d: float) -> None:
    assert haversine_m(a, b, c, d) == pytest.approx(haversine_m(c, d, a, b), abs=1e-6)
    assert 0 <= haversine_m(a, b, c, d) <= math.pi * EARTH_RADIUS_M + 1e-6


def destination(lat: float, lon: float, bearing: float, distance: float) -> tuple[float, float]:
    """The point ``distance`` metres from (lat, lon) on ``bearing`` (great circle)."""
    phi, lam, theta = math.radians(lat), math.radians(lon), math.radians(bearing)
    delta = distance / EARTH_RADIUS_M
    phi2 = math.asin(
        math.sin(phi) * math.cos(delta) + math.cos(phi) * math.sin(delta) * math.cos(theta)
    )
    lam2 = lam + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi),
        math.cos(delta) - math.sin(phi) * math.sin(phi2),
    )
    return math.degrees(phi2), (math.degrees(lam2) + 540) % 360 - 180


@given(
    st.floats(-89.9, 89.9),
    longitudes,
    st.floats(0, 360),
    st.floats(1, 5_000_000),
    st.floats(0, 0.999),
)
def test_every_point_inside_the_circle_lies_in_a_search_box(
    lat: float, lon: float, bearing: float, radius: float, fraction: float
) -> None:
    point_lat, point_lon = destination(lat, lon, bearing, radius * fraction)
    boxes = search_boxes(lat, lon, radius)
    assert any(
        b.south - 1e-9 <= point_lat <= b.north + 1e-9
        and b.west - 1e-9 <= point_lon <= b.east + 1e-9
        for b in boxes
    ), (point_lat, point_lon, boxes)
    assert all(b.west <= b.east for b in boxes)


def test_a_box_over_the_antimeridian_is_split_and_a_polar_one_covers_every_longitude() -> None:
    split = search_boxes(0.0, 179.99, 10_000)
    assert len(split) == 2
    # 10 km at the equator is 0.08993° of longitude either side of 179.99°.
    east_part, west_part = sorted(split, key=lambda b: -b.west)
    assert (east_part.west, east_part.east) == (pytest.approx(179.90007, abs=1e-5), 180.0)
    assert (west_part.west, west_part.east) == (-180.0, pytest.approx(-179.92007, abs=1e-5))
    (polar,) = search_boxes(89.99, 0.0, 5_000)
    assert (polar.west, polar.east, polar.north) == (-180.0, 180.0, 90.0)
    (small,) = search_boxes(22.93, 112.04, 2_000)
    assert small.north - small.south == pytest.approx(2 * 2_000 / EARTH_RADIUS_M * 180 / math.pi)
