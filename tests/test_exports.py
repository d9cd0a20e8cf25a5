"""The packages that name a public surface export what we mean, each class and function
with a docstring."""

from __future__ import annotations

import inspect
from types import ModuleType

import pytest

from certhub.hub import comparison, service_points

EXPORTS = {
    "certhub.hub.comparison": [
        "CITIES",
        "ComparisonInputError",
        "ComparisonRun",
        "DEPARTMENTS",
        "Department",
        "GeneratedSet",
        "RULES",
        "RunOptions",
        "RunWindow",
        "generate",
        "parse_period",
        "run_comparison",
    ],
    "certhub.hub.service_points": [
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
    ],
}


@pytest.mark.parametrize("package", [comparison, service_points], ids=lambda p: p.__name__)
def test_the_package_exports_what_we_mean(package: ModuleType) -> None:
    assert sorted(package.__all__) == EXPORTS[package.__name__]
    for name in package.__all__:
        exported = getattr(package, name)
        if inspect.isclass(exported) or inspect.isfunction(exported):
            assert exported.__doc__, name
