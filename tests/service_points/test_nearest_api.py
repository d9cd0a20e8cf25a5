"""GET /v1/service-points/nearest through the real HTTP API: answers, and hostile input refused."""

from __future__ import annotations

from typing import Any

from hubkit import Hub

from certhub.hub.service_points import haversine_m

YUNCHENG_SEAT = {"lat": "22.9287", "lon": "112.0441"}
PROBLEM = "urn:certhub:problem:"


async def get(hub: Hub, **params: str) -> tuple[int, dict[str, Any]]:
    response = await hub.client.get("/v1/service-points/nearest", params=params)
    return response.status, await response.json(content_type=None)


async def test_anonymous_nearest_lists_active_points_nearest_first_with_distances(
    mapped_hub: Hub,
) -> None:
    status, body = await get(mapped_hub, **YUNCHENG_SEAT, limit="4")
    assert status == 200
    ids = [f["id"] for f in body["features"]]
    # Independently: the 4 active sample points nearest to the seat, by their coordinates.
    assert ids == ["yf-445302-si-01", "yf-445302-bk-01", "yf-445302-yzz-01", "yf-445302-yzz-02"]
    distances = [f["properties"]["distance_m"] for f in body["features"]]
    assert distances == sorted(distances)
    first = body["features"][0]
    lon, lat = first["geometry"]["coordinates"]
    assert first["properties"]["distance_m"] == round(haversine_m(22.9287, 112.0441, lat, lon))
    # (22.9302, 112.0427): 0.0015° north = 166.8 m, 0.0014° west × cos 22.93° = 143.4 m → 220 m.
    assert first["properties"]["distance_m"] == 220
    assert first["properties"]["method_labels"] == ["柜面认证", "人脸识别", "预约上门认证"]
    assert body["origin"]["lat"] == 22.9287


async def test_a_method_filter_keeps_only_points_offering_it(mapped_hub: Hub) -> None:
    status, body = await get(mapped_hub, **YUNCHENG_SEAT, method="finger_vein", limit="3")
    assert status == 200
    assert [f["id"] for f in body["features"]] == [
        "yf-445302-bk-01", "yf-445302-bt-01", "yf-445303-bt-01",
    ]  # fmt: skip
    assert all("finger_vein" in f["properties"]["methods"] for f in body["features"])


async def test_closed_and_defunct_points_are_never_the_nearest(mapped_hub: Hub) -> None:
    # Right on top of the temporarily closed Silao terminal and the defunct Fucheng one.
    for lat, lon, closed in (
        ("22.9912", "112.1703", "yf-445302-sst-01"),
        ("22.7915", "111.5928", "yf-445381-sst-01"),
    ):
        status, body = await get(mapped_hub, lat=lat, lon=lon, limit="50")
        assert status == 200
        assert closed not in [f["id"] for f in body["features"]]
        assert len(body["features"]) == 36  # every active point, however far


async def test_far_away_the_search_widens_until_it_finds_the_points(mapped_hub: Hub) -> None:
    status, body = await get(mapped_hub, lat="-33.8688", lon="151.2093", limit="1")  # Sydney
    assert status == 200
    # Sydney is about 7,400 km from Guangdong; the nearest sample point is the southernmost.
    assert [f["id"] for f in body["features"]] == ["yf-445321-yzz-01"]
    assert 7_000_000 < body["features"][0]["properties"]["distance_m"] < 8_000_000


async def test_an_empty_registry_answers_an_empty_list(hub: Hub) -> None:
    status, body = await get(hub, **YUNCHENG_SEAT)
    assert (status, body["features"]) == (200, [])


HOSTILE: list[tuple[dict[str, str], str]] = [
    ({"lon": "112.0"}, "invalid-coordinates"),
    ({"lat": "22.9"}, "invalid-coordinates"),
    ({"lat": "NaN", "lon": "112.0"}, "invalid-coordinates"),
    ({"lat": "nan", "lon": "112.0"}, "invalid-coordinates"),
    ({"lat": "inf", "lon": "112.0"}, "invalid-coordinates"),
    ({"lat": "1e1", "lon": "112.0"}, "invalid-coordinates"),
    ({"lat": "90.0000000001", "lon": "112.0"}, "invalid-coordinates"),
    ({"lat": "-90.1", "lon": "112.0"}, "invalid-coordinates"),
    ({"lat": "22.9", "lon": "180.5"}, "invalid-coordinates"),
    ({"lat": "22.9", "lon": "-181"}, "invalid-coordinates"),
    ({"lat": "22.9", "lon": "1" * 5000}, "invalid-coordinates"),
    ({"lat": " 22.9", "lon": "112.0"}, "invalid-coordinates"),
    ({"lat": "22,9", "lon": "112.0"}, "invalid-coordinates"),
    ({"lat": "２２.9", "lon": "112.0"}, "invalid-coordinates"),
    ({"lat": "1_0", "lon": "112.0"}, "invalid-coordinates"),
    ({"lat": "22.9", "lon": "112.0", "limit": "0"}, "invalid-parameter"),
    ({"lat": "22.9", "lon": "112.0", "limit": "51"}, "invalid-parameter"),
    ({"lat": "22.9", "lon": "112.0", "limit": "9" * 400}, "invalid-parameter"),
    ({"lat": "22.9", "lon": "112.0", "limit": "-1"}, "invalid-parameter"),
    ({"lat": "22.9", "lon": "112.0", "method": "data_comparison"}, "invalid-parameter"),
    ({"lat": "22.9", "lon": "112.0", "method": "face' OR 1=1 --"}, "invalid-parameter"),
]


async def test_hostile_parameters_are_refused_with_a_problem(mapped_hub: Hub) -> None:
    for params, slug in HOSTILE:
        status, body = await get(mapped_hub, **params)
        assert (status, body["type"]) == (400, PROBLEM + slug), params
        assert body["parameter"] in {"lat", "lon", "limit", "method"}


async def test_the_edges_of_the_ranges_are_accepted(mapped_hub: Hub) -> None:
    for lat, lon in (
        ("90", "180"),
        ("-90", "-180"),
        ("0", "0"),
        ("-0.0000000001", "179.9999999999"),
    ):
        status, _ = await get(mapped_hub, lat=lat, lon=lon, limit="50")
        assert status == 200, (lat, lon)


async def test_a_parameter_given_twice_is_refused(mapped_hub: Hub) -> None:
    response = await mapped_hub.client.get("/v1/service-points/nearest?lat=22.9&lat=23.1&lon=112.0")
    body = await response.json(content_type=None)
    assert (response.status, body["type"], body["parameter"]) == (
        400,
        PROBLEM + "invalid-parameter",
        "lat",
    )
