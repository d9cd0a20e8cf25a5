"""The OpenAPI paths of the e-map: nearest points, the GeoJSON registry, places, ``/map/``."""

from __future__ import annotations

from typing import Any

from certhub.hub.api.openapi_parts import json_response, page_asset, problem_response
from certhub.hub.service_points import MAX_LIMIT
from certhub.hub.service_points.model import OFFERED_METHODS, Access, PointKind, PointStatus

__all__ = ["service_point_paths"]

_LON_LAT: dict[str, Any] = {
    "type": "array",
    "items": {"type": "number"},
    "minItems": 2,
    "maxItems": 2,
    "description": "[longitude, latitude]",
}
_FEATURE: dict[str, Any] = {
    "type": "object",
    "required": ["type", "id", "geometry", "properties"],
    "properties": {
        "type": {"const": "Feature"},
        "id": {"type": "string"},
        "geometry": {
            "type": "object",
            "required": ["type", "coordinates"],
            "properties": {"type": {"const": "Point"}, "coordinates": _LON_LAT},
        },
        "properties": {
            "type": "object",
            "required": [
                "kind",
                "name",
                "address",
                "county",
                "methods",
                "hours",
                "accessibility",
                "status",
                "kind_label",
                "method_labels",
                "schedules",
                "gcj02",
            ],
            "properties": {
                "kind": {"enum": [kind.value for kind in PointKind]},
                "name": {"type": "string"},
                "address": {"type": "string"},
                "county": {"type": "string", "pattern": "^44[0-9]{4}$"},
                "methods": {"type": "array", "items": {"enum": sorted(OFFERED_METHODS)}},
                "hours": {"type": "string", "description": "e.g. `Mo-Fr 08:30-17:30`, `24/7`"},
                "accessibility": {
                    "type": "array",
                    "items": {"enum": [access.value for access in Access]},
                },
                "organization": {"type": "string"},
                "phone": {"type": "string"},
                "status": {"enum": [status.value for status in PointStatus]},
                "kind_label": {"type": "string"},
                "method_labels": {"type": "array", "items": {"type": "string"}},
                "accessibility_labels": {"type": "array", "items": {"type": "string"}},
                "schedules": {
                    "type": "array",
                    "description": "HSDS schedule objects (freq, byday, opens_at, closes_at)",
                    "items": {"type": "object"},
                },
                "gcj02": {**_LON_LAT, "description": "GCJ-02 [lon, lat], for display only"},
                "distance_m": {"type": "integer", "minimum": 0},
            },
        },
    },
}
_COLLECTION: dict[str, Any] = {
    "type": "object",
    "required": ["type", "features"],
    "properties": {
        "type": {"const": "FeatureCollection"},
        "features": {"type": "array", "items": _FEATURE},
    },
}
_DEGREES: dict[str, Any] = {"type": "string", "pattern": r"^-?[0-9]{1,3}(\.[0-9]{1,10})?$"}
_BAD_QUERY = "A parameter out of range, malformed or given twice (`parameter` names it)."


def _nearest() -> dict[str, Any]:
    nearest = {
        **_COLLECTION,
        "required": ["type", "origin", "features"],
        "properties": {
            **_COLLECTION["properties"],
            "origin": {
                "type": "object",
                "required": ["lat", "lon", "gcj02"],
                "properties": {
                    "lat": {"type": "number"},
                    "lon": {"type": "number"},
                    "gcj02": _LON_LAT,
                },
            },
        },
    }
    return {
        "get": {
            "summary": "The active service points nearest to a WGS-84 position (anonymous).",
            "description": (
                "Great-circle (haversine) distance in metres, nearest first; ties by id. "
                "`method` keeps the points that offer it."
            ),
            "parameters": [
                {"name": "lat", "in": "query", "required": True, "schema": _DEGREES},
                {"name": "lon", "in": "query", "required": True, "schema": _DEGREES},
                {"name": "method", "in": "query", "schema": {"enum": sorted(OFFERED_METHODS)}},
                {
                    "name": "limit",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 5},
                },
            ],
            "responses": {
                "200": json_response("The nearest points as GeoJSON features.", nearest),
                "400": problem_response(_BAD_QUERY),
                "503": problem_response("The ledger database cannot be read; retry."),
            },
        }
    }


def _export() -> dict[str, Any]:
    return {
        "get": {
            "summary": "Every service point (any status) as one GeoJSON FeatureCollection.",
            "parameters": [
                {
                    "name": "county",
                    "in": "query",
                    "schema": {"type": "string", "pattern": "^44([0-9]{2}){0,2}$"},
                },
            ],
            "responses": {
                "200": {
                    "description": "RFC 7946 GeoJSON; imports back unchanged.",
                    "content": {"application/geo+json": {"schema": _COLLECTION}},
                },
                "400": problem_response(_BAD_QUERY),
                "503": problem_response("The ledger database cannot be read; retry."),
            },
        }
    }


def _places() -> dict[str, Any]:
    place = {
        "type": "object",
        "required": ["code", "name", "lat", "lon"],
        "properties": {
            "code": {"type": "string"},
            "name": {"type": "string"},
            "lat": {"type": "number"},
            "lon": {"type": "number"},
        },
    }
    method = {
        "type": "object",
        "required": ["code", "label"],
        "properties": {"code": {"enum": sorted(OFFERED_METHODS)}, "label": {"type": "string"}},
    }
    body = {
        "type": "object",
        "required": ["places", "methods", "tiles"],
        "properties": {
            "places": {"type": "array", "items": place},
            "methods": {"type": "array", "items": method},
            "tiles": {
                "description": "The local base map (DATA_DIR/map-tiles), or null without one.",
                "oneOf": [
                    {"type": "null"},
                    {
                        "type": "object",
                        "required": ["template", "zooms"],
                        "properties": {
                            "template": {"const": "/map/tiles/{z}/{x}/{y}.png"},
                            "zooms": {
                                "type": "array",
                                "items": {"type": "integer", "minimum": 0, "maximum": 20},
                                "minItems": 2,
                                "maxItems": 2,
                            },
                        },
                    },
                ],
            },
        },
    }
    return {
        "get": {
            "summary": "Places to search from without a position; methods to filter by.",
            "responses": {"200": json_response("Places, by code.", body)},
        }
    }


def _tile() -> dict[str, Any]:
    digits = {"type": "string", "pattern": "^[0-9]{1,7}$"}
    return {
        "get": {
            "summary": "A tile of the hub's local base map (GCJ-02, Web Mercator), if it has one.",
            "parameters": [
                {"name": name, "in": "path", "required": True, "schema": digits}
                for name in ("z", "x", "y")
            ],
            "responses": {
                "200": {
                    "description": "The PNG tile.",
                    "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}},
                },
                "304": {"description": "The client's copy is current."},
                "404": problem_response("No local base map, or no such tile."),
            },
        }
    }


def service_point_paths() -> dict[str, Any]:
    """The e-map's paths."""
    return {
        "/v1/service-points/nearest": _nearest(),
        "/v1/service-points.geojson": _export(),
        "/v1/service-points/places": _places(),
        "/map/": page_asset("The social-security e-map (HTML).", named=False),
        "/map/{asset}": page_asset("A file of the e-map: ES module or style sheet.", named=True),
        "/map/tiles/{z}/{x}/{y}.png": _tile(),
    }
