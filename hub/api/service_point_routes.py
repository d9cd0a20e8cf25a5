"""The e-map: nearest service points, the registry as GeoJSON, places, and the ``/map/`` page.

All anonymous: where to go to be certified is public information, and these
answers hold no personal data. Every query parameter is checked before the
database is asked: coordinates are plain decimals in range (no ``NaN``,
``inf``, exponents or thousands of digits), ``limit`` is 1 to
:data:`~certhub.hub.service_points.MAX_LIMIT`, ``method`` one a place can
offer, and a parameter given twice is refused rather than one of its values
picked.
"""

from __future__ import annotations

import asyncio
import re
from importlib import resources
from typing import Final

from aiohttp import web

from certhub.hub.core.keys import SERVICE_POINT_EXPORTS, SERVICE_POINTS, SETTINGS
from certhub.hub.problems import Problem
from certhub.hub.service_points import MAX_LIMIT, nearest
from certhub.hub.service_points.geo import wgs84_to_gcj02
from certhub.hub.service_points.geojson import feature
from certhub.hub.service_points.model import OFFERED_METHODS
from certhub.hub.service_points.places import places
from certhub.hub.service_points.tiles import TEMPLATE, tile_file, zoom_range
from certhub.hub.service_points.vocabulary import METHOD_LABELS
from certhub.hub.web.pages import StaticPages, page_routes

__all__ = ["MAP_PREFIX", "map_pages", "pages", "routes"]

MAP_PREFIX: Final = "/map"
DEFAULT_LIMIT: Final = 5
# A plain decimal: optional sign, up to 3 integer digits, up to 10 decimals (about 10 µm).
_DEGREES: Final = re.compile(r"^-?[0-9]{1,3}(\.[0-9]{1,10})?$")
_COUNTY_PREFIX: Final = re.compile(r"^44([0-9]{2}){0,2}$")
_PUBLIC: Final = {"Cache-Control": "public, max-age=60"}
_TILE_HEADERS: Final = {
    "Content-Type": "image/png",  # set now: the contract check reads it before the file is sent
    "Cache-Control": "public, max-age=86400",
    "X-Content-Type-Options": "nosniff",
}

routes = web.RouteTableDef()


@routes.get("/v1/service-points/nearest")
async def nearest_points(request: web.Request) -> web.Response:
    """The active points nearest to ``lat``/``lon`` (WGS-84), with distances, nearest first."""
    lat = _degrees(request, "lat", 90.0)
    lon = _degrees(request, "lon", 180.0)
    method = request.query.get("method")
    if method is not None and method not in OFFERED_METHODS:
        offered = ", ".join(sorted(OFFERED_METHODS))
        raise Problem(
            "invalid-parameter",
            f"method must be one of {offered}",
            extensions={"parameter": "method"},
        )
    limit = _limit(request.query.get("limit"))
    found = await nearest(request.app[SERVICE_POINTS], lat, lon, method=method, limit=limit)
    gcj_lat, gcj_lon = wgs84_to_gcj02(lat, lon)
    body = {
        "type": "FeatureCollection",
        "origin": {"lat": lat, "lon": lon, "gcj02": [round(gcj_lon, 7), round(gcj_lat, 7)]},
        "features": [feature(near.point, distance_m=round(near.distance_m)) for near in found],
    }
    return web.json_response(body, headers=_PUBLIC)


@routes.get("/v1/service-points.geojson")
async def export_points(request: web.Request) -> web.Response:
    """Every point (any status) as GeoJSON, optionally of one city or county (cached)."""
    county = request.query.get("county")
    prefix = "44" if county is None else county  # an empty `?county=` is refused, not the province
    if not _COUNTY_PREFIX.match(prefix):
        raise Problem(
            "invalid-parameter",
            "county must be a Guangdong city (4 digits) or county (6 digits) code",
            extensions={"parameter": "county"},
        )
    exports = request.app[SERVICE_POINT_EXPORTS]
    body = await exports.body(request.app[SERVICE_POINTS], prefix)
    return web.Response(body=body, content_type="application/geo+json", headers=_PUBLIC)


@routes.get("/v1/service-points/places")
async def list_places(request: web.Request) -> web.Response:
    """Where "nearest to a chosen county or village" starts (county seats), and the methods."""
    zooms = await asyncio.to_thread(zoom_range, request.app[SETTINGS].data_dir)
    body = {
        "places": [{"code": p.code, "name": p.name, "lat": p.lat, "lon": p.lon} for p in places()],
        "methods": [{"code": m.value, "label": label} for m, label in METHOD_LABELS.items()],
        "tiles": None if zooms is None else {"template": TEMPLATE, "zooms": list(zooms)},
    }
    return web.json_response(body, headers=_PUBLIC)


@routes.get(r"/map/tiles/{z:[0-9]{1,2}}/{x:[0-9]{1,7}}/{y:[0-9]{1,7}}.png")
async def tile(request: web.Request) -> web.StreamResponse:
    """One tile of the local base map (``DATA_DIR/map-tiles``), if the deployment has one."""
    z, x, y = (int(request.match_info[name]) for name in ("z", "x", "y"))
    path = await asyncio.to_thread(tile_file, request.app[SETTINGS].data_dir, z, x, y)
    if path is None:
        raise Problem("not-found", "no such tile in this hub's local base map")
    return web.FileResponse(path, headers=_TILE_HEADERS)


def _degrees(request: web.Request, name: str, bound: float) -> float:
    text = request.query.get(name)
    if text is None or not _DEGREES.match(text) or not -bound <= float(text) <= bound:
        raise Problem(
            "invalid-coordinates",
            f"{name} must be a decimal number of degrees from {-bound:g} to {bound:g} (WGS-84)",
            extensions={"parameter": name},
        )
    return float(text)


def _limit(text: str | None) -> int:
    if text is None:
        return DEFAULT_LIMIT
    # Length first: int() of thousands of digits is slow, and refused anyway.
    digits = text.isascii() and text.isdigit() and len(text) <= len(str(MAX_LIMIT))
    if not digits or not 1 <= int(text) <= MAX_LIMIT:
        raise Problem(
            "invalid-parameter",
            f"limit must be a whole number from 1 to {MAX_LIMIT}",
            extensions={"parameter": "limit"},
        )
    return int(text)


def map_pages() -> StaticPages:
    """The e-map page's files, read from the package."""
    return StaticPages(resources.files("certhub.hub.service_points") / "static")


pages: web.RouteTableDef = page_routes(MAP_PREFIX, map_pages())
"""``/map/`` and its assets (the API routes are :data:`routes`)."""
