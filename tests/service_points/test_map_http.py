"""The e-map over HTTP: the registry as GeoJSON, the places, and the page under its CSP."""

from __future__ import annotations

import json

from hubkit import Hub

from certhub.hub.core.keys import SERVICE_POINT_EXPORTS, SERVICE_POINTS
from certhub.hub.service_points import import_file, parse_file
from certhub.hub.service_points.sample import sample_points

PROBLEM = "urn:certhub:problem:"


async def test_the_registry_exports_as_geojson_that_imports_back_unchanged(mapped_hub: Hub) -> None:
    response = await mapped_hub.client.get("/v1/service-points.geojson")
    assert response.status == 200
    assert response.content_type == "application/geo+json"
    body = await response.read()
    exported = parse_file(body, "export.geojson")
    original = parse_file(sample_points(), "sample.csv")
    assert exported.errors == []
    assert sorted(p.digest() for _, p in exported.points) == sorted(
        p.digest() for _, p in original.points
    )
    zhaoqing = json.loads(
        await (await mapped_hub.client.get("/v1/service-points.geojson?county=4412")).read()
    )
    assert len(zhaoqing["features"]) == 17  # the sample's zq-… rows
    first = zhaoqing["features"][0]
    assert first["id"] == "zq-441202-bk-01"  # by id
    assert first["geometry"]["coordinates"] == [112.4633, 23.0556]  # WGS-84, [lon, lat]
    assert first["properties"]["gcj02"] != [112.4633, 23.0556]  # display only


async def test_a_bad_county_filter_is_a_problem(mapped_hub: Hub) -> None:
    for county in ("45", "4453x", "44530", "%", "440000000"):
        response = await mapped_hub.client.get(
            "/v1/service-points.geojson", params={"county": county}
        )
        body = await response.json(content_type=None)
        assert (response.status, body["type"]) == (400, PROBLEM + "invalid-parameter"), county


async def test_places_are_county_seats_with_their_names(hub: Hub) -> None:
    response = await hub.client.get("/v1/service-points/places")
    body = await response.json()
    places = {place["code"]: place for place in body["places"]}
    assert len(places) == 13
    assert places["445302"]["name"] == "云城区"
    assert places["441284"]["name"] == "四会市"
    assert {m["code"] for m in body["methods"]} == {
        "face", "fingerprint", "finger_vein", "counter", "home_visit", "social_org",
    }  # fmt: skip


async def test_the_page_and_its_modules_come_with_a_strict_csp(hub: Hub) -> None:
    page = await hub.client.get("/map/")
    html = await page.text()
    assert page.status == 200
    assert page.content_type == "text/html"
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "default-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert "<script>" not in html  # no inline script: one module by URL
    assert '<script type="module" src="map.js"></script>' in html
    assert "http" not in html.replace("http://www.w3.org", "")  # no third-party origin
    for asset, media in (
        ("map.js", "text/javascript"),
        ("gcj02.js", "text/javascript"),
        ("map.css", "text/css"),
    ):
        response = await hub.client.get(f"/map/{asset}")
        assert (response.status, response.content_type) == (200, media), asset
        assert response.headers["Content-Security-Policy"] == csp
        assert "https://" not in await response.text()
    missing = await hub.client.get("/map/..%2Fdata%2Fplaces.csv")
    assert missing.status == 404


async def test_the_export_is_built_once_until_an_import_changes_the_registry(
    mapped_hub: Hub,
) -> None:
    exports = mapped_hub.client.app[SERVICE_POINT_EXPORTS]
    first = await (await mapped_hub.client.get("/v1/service-points.geojson")).read()
    again = await (await mapped_hub.client.get("/v1/service-points.geojson")).read()
    assert (again, exports.builds) == (first, 1)
    changed = sample_points().replace("云城区社会保险服务中心".encode(), "云城区社保中心".encode())
    registry = mapped_hub.client.app[SERVICE_POINTS]
    await import_file(registry, parse_file(changed, "b.csv"), source="b", actor="t", data=changed)
    after = json.loads(await (await mapped_hub.client.get("/v1/service-points.geojson")).read())
    assert exports.builds == 2
    names = {feature["id"]: feature["properties"]["name"] for feature in after["features"]}
    assert names["yf-445302-si-01"] == "云城区社保中心"


async def test_tiles_come_from_the_data_folder_or_not_at_all(hub: Hub) -> None:
    body = await (await hub.client.get("/v1/service-points/places")).json()
    assert body["tiles"] is None
    assert (await hub.client.get("/map/tiles/3/1/1.png")).status == 404
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32  # served as stored: bytes, not decoded
    for z, x, y in ((3, 6, 3), (5, 25, 13)):
        path = hub.settings.data_dir / "map-tiles" / str(z) / str(x) / f"{y}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png)
    (hub.settings.data_dir / "map-tiles" / "notes").mkdir()
    body = await (await hub.client.get("/v1/service-points/places")).json()
    assert body["tiles"] == {"template": "/map/tiles/{z}/{x}/{y}.png", "zooms": [3, 5]}
    found = await hub.client.get("/map/tiles/5/25/13.png")
    assert (found.status, found.content_type, await found.read()) == (200, "image/png", png)
    for missing in ("/map/tiles/5/25/14.png", "/map/tiles/3/8/3.png", "/map/tiles/21/0/0.png"):
        response = await hub.client.get(missing)
        assert response.status == 404, missing
        assert (await response.json())["type"] == PROBLEM + "not-found"
    assert (await hub.client.get("/map/tiles/5/25/..%2F13.png")).status == 404
