"""Service points as GeoJSON (RFC 7946): what ``certhub service-points export`` writes.

A Feature per point: geometry in WGS-84 ``[lon, lat]`` (RFC 7946 allows no
other datum), ``id`` the stable id, properties the point's fields — the
same names the import reads, so an export imports back unchanged — plus
display extras the import ignores: Chinese labels, HSDS schedules and the
GCJ-02 position for a Chinese base map.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from certhub.hub.service_points.geo import wgs84_to_gcj02
from certhub.hub.service_points.hours import hsds_schedules, parse_hours
from certhub.hub.service_points.model import ServicePoint
from certhub.hub.service_points.vocabulary import ACCESS_LABELS, KIND_LABELS, METHOD_LABELS


def feature(point: ServicePoint, **extra: Any) -> dict[str, Any]:
    """One point as a GeoJSON Feature; ``extra`` properties (e.g. a distance) are added."""
    properties = point.model_dump(mode="json", exclude={"lat", "lon"}, exclude_none=True)
    gcj_lat, gcj_lon = wgs84_to_gcj02(point.lat, point.lon)
    properties.update(
        kind_label=KIND_LABELS[point.kind],
        method_labels=[METHOD_LABELS[method] for method in point.methods],
        accessibility_labels=[ACCESS_LABELS[access] for access in point.accessibility],
        schedules=hsds_schedules(parse_hours(point.hours)),
        gcj02=[round(gcj_lon, 7), round(gcj_lat, 7)],
        **extra,
    )
    return {
        "type": "Feature",
        "id": point.id,
        "geometry": {"type": "Point", "coordinates": [point.lon, point.lat]},
        "properties": properties,
    }


def feature_collection(points: Iterable[ServicePoint]) -> dict[str, Any]:
    """Every point as one FeatureCollection."""
    return {"type": "FeatureCollection", "features": [feature(point) for point in points]}
