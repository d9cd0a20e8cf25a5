"""Import into the registry, and find the nearest points: the e-map's two operations.

:func:`import_file` writes only what is new or changed (by each point's digest),
in one ledger transaction with one audit link, so importing the same file
again stores and audits nothing. :func:`nearest` widens a search circle from
2 km, doubling, until it holds ``limit`` points or covers the Earth: each
round asks the database for the rows in the circle's bounding box (the
``(lat, lon)`` index) and computes the exact haversine distance for those
only. Points found inside the circle are final: nothing outside it can be
nearer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Final

from certhub.hub.service_points.geo import HALF_CIRCUMFERENCE_M, haversine_m, search_boxes
from certhub.hub.service_points.model import ServicePoint
from certhub.hub.service_points.parsing import ParsedFile, RowError
from certhub.hub.store.service_points import PointRow, ServicePointRegistry

FIRST_RADIUS_M: Final = 2_000.0
MAX_LIMIT: Final = 50
"""The most points one nearest-search answers (a phone shows a handful)."""


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did: rows read, points created, changed, already equal, and refused."""

    total: int
    created: int
    updated: int
    unchanged: int
    errors: tuple[RowError, ...]


@dataclass(frozen=True, slots=True)
class Nearby:
    """A point and its great-circle distance from the searched position."""

    point: ServicePoint
    distance_m: float


def to_row(point: ServicePoint) -> PointRow:
    """The stored columns of ``point`` (lists as ``|a|b|`` for one LIKE on both dialects)."""
    return (
        point.id,
        point.kind.value,
        point.name,
        point.address,
        point.county,
        point.lat,
        point.lon,
        _joined(point.methods),
        point.hours,
        _joined(point.accessibility),
        point.organization,
        point.phone,
        point.status.value,
    )


def from_row(row: PointRow) -> ServicePoint:
    """The point a stored row holds (validated again: the database is not trusted blindly)."""
    (pid, kind, name, address, county, lat, lon, methods, hours, access, org, phone, status) = row
    return ServicePoint(
        id=str(pid),
        kind=str(kind),
        name=str(name),
        address=str(address),
        county=str(county),
        lat=float(str(lat)),
        lon=float(str(lon)),
        methods=_split(methods),
        hours=str(hours),
        accessibility=_split(access),
        organization=None if org is None else str(org),
        phone=None if phone is None else str(phone),
        status=str(status),
    )


async def import_file(
    registry: ServicePointRegistry, parsed: ParsedFile, *, source: str, actor: str, data: bytes
) -> ImportReport:
    """Store the new and changed points of ``parsed``; audited once as ``source`` by ``actor``."""
    stored = await registry.service_point_digests()
    created = updated = 0
    rows: list[tuple[PointRow, str]] = []
    for _, point in parsed.points:
        digest = point.digest()
        previous = stored.get(point.id)
        if previous == digest:
            continue
        created += previous is None
        updated += previous is not None
        rows.append((to_row(point), digest))
    file_digest = hashlib.sha256(data).hexdigest()
    await registry.put_service_points(rows, source=source, actor=actor, digest=file_digest)
    total = len(parsed.points) + len(parsed.errors)
    unchanged = len(parsed.points) - len(rows)
    return ImportReport(total, created, updated, unchanged, tuple(parsed.errors))


async def nearest(
    registry: ServicePointRegistry, lat: float, lon: float, *, method: str | None, limit: int
) -> list[Nearby]:
    """The ``limit`` active points nearest to (lat, lon) offering ``method``, nearest first."""
    radius = FIRST_RADIUS_M
    while True:
        found = await _within(registry, lat, lon, radius, method)
        if len(found) >= limit or radius >= HALF_CIRCUMFERENCE_M:
            # Only the answer's rows become validated points (about 0.1 ms each).
            return [Nearby(from_row(row), distance) for distance, _, row in found[:limit]]
        radius = min(radius * 2, HALF_CIRCUMFERENCE_M)


async def _within(
    registry: ServicePointRegistry, lat: float, lon: float, radius: float, method: str | None
) -> list[tuple[float, str, PointRow]]:
    """(distance, id, row) of every point within ``radius``, nearest first (ties by id)."""
    found: list[tuple[float, str, PointRow]] = []
    for box in search_boxes(lat, lon, radius):
        rows = await registry.service_points_in_box(
            (box.south, box.north, box.west, box.east), method
        )
        for row in rows:
            distance = haversine_m(lat, lon, float(str(row[5])), float(str(row[6])))
            if distance <= radius:
                found.append((distance, str(row[0]), row))
    found.sort(key=lambda near: near[:2])
    return found


def _joined(values: tuple[str, ...]) -> str:
    return "|" + "|".join(values) + "|" if values else "|"


def _split(text: object) -> list[str]:
    return [item for item in str(text).split("|") if item]
