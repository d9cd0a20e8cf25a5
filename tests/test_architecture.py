"""The dependency arrows of DESIGN.md §2, enforced by walking every import."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("schemas", "security", "adapters", "monitoring", "mocks", "hub")

# package -> the project packages it may import
ALLOWED: dict[str, set[str]] = {
    "schemas": set(),
    "security": {"schemas"},
    "monitoring": {"schemas"},
    "adapters": {"schemas", "security", "monitoring"},
    "mocks": {"schemas", "security"},
    "hub": {"schemas", "security", "adapters", "monitoring", "mocks"},
}
# third-party modules a package must not use
FORBIDDEN_THIRD_PARTY: dict[str, set[str]] = {
    "adapters": {"aiohttp.web"},
    "schemas": {"aiohttp", "zeep", "aio_pika"},
    "security": {"aiohttp", "zeep", "aio_pika"},
}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("package", PACKAGES)
def test_imports_point_one_way(package: str) -> None:
    violations = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for name in imports_of(path):
            top = name.split(".")[0]
            if top in PACKAGES and top != package and top not in ALLOWED[package]:
                violations.append(f"{path.relative_to(ROOT)} imports {name}")
            for banned in FORBIDDEN_THIRD_PARTY.get(package, set()):
                if name == banned or name.startswith(banned + "."):
                    violations.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not violations, "\n".join(violations)


def test_tenacity_is_imported_by_one_module_only() -> None:
    users = [
        path.relative_to(ROOT)
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if any(name.split(".")[0] == "tenacity" for name in imports_of(path))
    ]
    assert len(users) <= 1, users


@pytest.mark.parametrize("package", PACKAGES)
def test_modules_stay_small(package: str) -> None:
    big = [
        f"{path.relative_to(ROOT)}: {n} lines"
        for path in (ROOT / package).rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 400
    ]
    assert not big, big
