"""The service-point registry's table in the ledger database (issue 18, the e-map).

Public reference data, not signed messages: a row per service point, keyed
by its stable id, replaced when an import brings a changed version (its
``digest`` differs) and left alone otherwise, so importing a file twice
changes nothing. Each import that changed something leaves one link in the
audit chain. Coordinates are WGS-84 degrees; the ``(lat, lon)`` index serves
the bounding-box prefilter of the nearest-point search, which computes exact
distances only for the rows inside the box. Methods and accessibility
features are stored as ``|a|b|`` so one ``LIKE '%|face|%'`` filters on both
dialects. The statements are portable (SQLite's ``?``; PostgreSQL numbers them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Protocol

from certhub.hub.store.sql_transport import SqlReads, SqlWrites
from certhub.hub.store.writes import Link, RunMany, now

COLUMNS: Final = (
    "point_id, kind, name, address, county, lat, lon, methods, hours, accessibility,"
    " organization, phone, status"
)
"""The columns of a :data:`PointRow`, in its order (the digest is kept beside them)."""

PointRow = tuple[object, ...]
"""One stored service point: the values of :data:`COLUMNS`, in order."""

UPSERT: Final = (
    f"INSERT INTO service_points ({COLUMNS}, digest, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (point_id) DO UPDATE SET kind = excluded.kind, name = excluded.name,"
    " address = excluded.address, county = excluded.county, lat = excluded.lat,"
    " lon = excluded.lon, methods = excluded.methods, hours = excluded.hours,"
    " accessibility = excluded.accessibility, organization = excluded.organization,"
    " phone = excluded.phone, status = excluded.status, digest = excluded.digest,"
    " updated_at = excluded.updated_at"
)
DIGESTS: Final = "SELECT point_id, digest FROM service_points"
IN_BOX: Final = (
    f"SELECT {COLUMNS} FROM service_points"
    " WHERE lat BETWEEN ? AND ? AND lon BETWEEN ? AND ? AND status = 'active'"
    " AND methods LIKE ?"
)
ALL_IN_COUNTY: Final = f"SELECT {COLUMNS} FROM service_points WHERE county LIKE ? ORDER BY point_id"
VERSION: Final = (
    "SELECT count(*), coalesce(max(updated_at), '') FROM service_points WHERE county LIKE ?"
)


class ServicePointRegistry(Protocol):
    """What the e-map and the import need from the ledger database."""

    async def service_point_digests(self) -> dict[str, str]:
        """Every stored point's id and digest."""
        ...

    async def put_service_points(
        self, rows: Sequence[tuple[PointRow, str]], *, source: str, actor: str, digest: str
    ) -> None:
        """Insert or replace ``rows`` (each with its digest) in one transaction, audited once."""
        ...

    async def service_points_in_box(
        self, box: tuple[float, float, float, float], method: str | None
    ) -> list[PointRow]:
        """Active points with south ≤ lat ≤ north and west ≤ lon ≤ east offering ``method``."""
        ...

    async def service_points_in_county(self, prefix: str) -> list[PointRow]:
        """Every point (any status) whose county code starts with ``prefix``, by id."""
        ...

    async def service_points_version(self, prefix: str) -> tuple[int, str]:
        """(count, last change) of the points under ``prefix``: equal means unchanged."""
        ...


class ServicePointTable(SqlReads, SqlWrites):
    """:class:`ServicePointRegistry` over any ledger (mixed into both dialects' ledgers).

    The ledger provides ``_read`` (its read transport) and ``_run_ops`` (its group
    write), so an import commits like any other small write: in order with the
    messages around it, and its audit link in the one chain.
    """

    async def service_point_digests(self) -> dict[str, str]:
        """Every stored point's id and digest."""
        return {str(pid): str(digest) for pid, digest in await self._read(DIGESTS, ())}

    async def put_service_points(
        self, rows: Sequence[tuple[PointRow, str]], *, source: str, actor: str, digest: str
    ) -> None:
        """Insert or replace ``rows`` in one transaction with one audit link (none if empty)."""
        if not rows:
            return
        at = now()
        values = [(*row, row_digest, at) for row, row_digest in rows]
        await self._run_ops(
            [RunMany(UPSERT, values), Link(at, "service_points_imported", source, actor, digest)]
        )

    async def service_points_in_box(
        self, box: tuple[float, float, float, float], method: str | None
    ) -> list[PointRow]:
        """Active points inside ``box`` (south, north, west, east) offering ``method``."""
        pattern = f"%|{method}|%" if method else "%"
        return await self._read(IN_BOX, (*box, pattern))

    async def service_points_in_county(self, prefix: str) -> list[PointRow]:
        """Every point whose county code starts with ``prefix`` (``""``: all), by id."""
        return await self._read(ALL_IN_COUNTY, (f"{prefix}%",))

    async def service_points_version(self, prefix: str) -> tuple[int, str]:
        """(count, last change) of the points under ``prefix``: an import changes it."""
        ((count, changed),) = await self._read(VERSION, (f"{prefix}%",))
        return int(str(count)), str(changed)
