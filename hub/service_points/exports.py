"""The registry as GeoJSON for the anonymous ``GET /v1/service-points.geojson``, cached.

Building the collection validates and shapes every point (about 40 µs each:
over a second for the province's 30,000), so an anonymous client asking
again and again must not make the hub do it again and again. Each answer is
kept, per county prefix, with the registry's version under that prefix
(count and last change, one indexed query); an import changes the version,
and the next request builds afresh, on a worker thread so the event loop
keeps serving. Concurrent first requests for one prefix share one build.
"""

from __future__ import annotations

import asyncio
import json
from collections import OrderedDict
from typing import Final

from certhub.hub.service_points.geojson import feature_collection
from certhub.hub.service_points.registry import from_row
from certhub.hub.store.service_points import PointRow, ServicePointRegistry

MAX_ENTRIES: Final = 32  # the province, its 21 cities and the busiest counties


class GeoJsonExports:
    """Encoded FeatureCollections by county prefix, valid while the registry is unchanged."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._entries: OrderedDict[str, tuple[tuple[int, str], bytes]] = OrderedDict()
        self._locks: dict[str, asyncio.Lock] = {}
        self._max = max_entries
        self.builds = 0  # how many collections were built (the tests watch it)

    async def body(self, registry: ServicePointRegistry, prefix: str) -> bytes:
        """The UTF-8 GeoJSON of every point under ``prefix``, built only when it changed."""
        lock = self._locks.setdefault(prefix, asyncio.Lock())
        async with lock:
            version = await registry.service_points_version(prefix)
            cached = self._entries.get(prefix)
            if cached is not None and cached[0] == version:
                self._entries.move_to_end(prefix)
                return cached[1]
            rows = await registry.service_points_in_county(prefix)
            encoded = await asyncio.to_thread(_encode, rows)
            self.builds += 1
            self._entries[prefix] = (version, encoded)
            self._entries.move_to_end(prefix)
            while len(self._entries) > self._max:
                evicted, _ = self._entries.popitem(last=False)
                self._locks.pop(evicted, None)
            return encoded


def _encode(rows: list[PointRow]) -> bytes:
    collection = feature_collection(from_row(row) for row in rows)
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode()
