"""The packages that name a public surface export what they import for it, and no more,
each class and function with a docstring (the idea of httpx's
``tests/test_exported_members.py``)."""

from __future__ import annotations

import inspect
from types import ModuleType

import pytest

from certhub import schemas, security
from certhub.hub import comparison, evidence, service_points


def _public_names(package: ModuleType) -> list[str]:
    """The names ``package`` binds for its users: not private, not its own submodules (a
    module imported from elsewhere is a name like any other)."""
    return [
        name
        for name, value in vars(package).items()
        if not name.startswith("_") and not _submodule_of(package, value)
    ]


def _submodule_of(package: ModuleType, value: object) -> bool:
    return inspect.ismodule(value) and value.__name__.startswith(f"{package.__name__}.")


@pytest.mark.parametrize(
    "package",
    [comparison, evidence, schemas, security, service_points],
    ids=lambda p: p.__name__,
)
def test_the_package_exports_what_we_mean(package: ModuleType) -> None:
    # Every name the package imports is exported: one imported and not listed in
    # __all__ (or listed and no longer imported) is a surface nobody meant.
    assert sorted(package.__all__) == sorted(_public_names(package))
    for name in package.__all__:
        exported = getattr(package, name)
        if inspect.isclass(exported) or inspect.isfunction(exported):
            assert exported.__doc__, name
