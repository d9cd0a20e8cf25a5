"""certhub.hub.service_points exports what we mean, each with a docstring."""

from __future__ import annotations

import inspect

from certhub.hub import service_points


def test_the_package_exports_what_we_mean() -> None:
    assert sorted(service_points.__all__) == [
        "Access",
        "FileRefused",
        "ImportReport",
        "MAX_LIMIT",
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
    for name in service_points.__all__:
        exported = getattr(service_points, name)
        if inspect.isclass(exported) or inspect.isfunction(exported):
            assert exported.__doc__, name
