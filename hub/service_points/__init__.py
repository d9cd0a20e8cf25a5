"""The social-security e-map: a registry of service points and the nearest-point search.

Where a pensioner can go to be certified — 粤智助 kiosks, social-security
self-service terminals, the partner banks' branches and terminals, township
counters — modelled on Open Referral HSDS, stored in the ledger database
(:mod:`certhub.hub.store.service_points`), imported from CSV/GeoJSON
(:mod:`.parsing`), exported as GeoJSON (:mod:`.geojson`), searched by
great-circle distance (:mod:`.registry`), and shown on the hub's ``/map/``
page (``static/``). Coordinates are WGS-84; :mod:`.geo` shifts them to
GCJ-02 for display on a Chinese base map only.
"""

from certhub.hub.service_points.geo import haversine_m, wgs84_to_gcj02
from certhub.hub.service_points.model import Access, PointKind, PointStatus, ServicePoint
from certhub.hub.service_points.parsing import FileRefused, ParsedFile, RowError, parse_file
from certhub.hub.service_points.registry import (
    MAX_LIMIT,
    ImportReport,
    Nearby,
    import_file,
    nearest,
)

__all__ = [
    "MAX_LIMIT",
    "Access",
    "FileRefused",
    "ImportReport",
    "Nearby",
    "ParsedFile",
    "PointKind",
    "PointStatus",
    "RowError",
    "ServicePoint",
    "haversine_m",
    "import_file",
    "nearest",
    "parse_file",
    "wgs84_to_gcj02",
]
