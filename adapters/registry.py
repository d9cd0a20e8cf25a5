"""Finding adapters by name through the ``certhub.adapters`` entry-point group.

The registry is data: the group lists ``name = "module:Class"`` and a class is
imported on first use. Nothing is registered at import time, so tests never
reset global state. A wrong name fails at start-up with "did you mean …".
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from pydantic import ValidationError

from .base import Adapter, AdapterOptions
from .errors import AdapterNotFound, AdapterSetupError

__all__ = [
    "ENTRY_POINT_GROUP",
    "adapter_names",
    "create_adapter",
    "create_adapters",
    "load_adapter",
]

ENTRY_POINT_GROUP = "certhub.adapters"


def _entry_points() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def adapter_names() -> list[str]:
    """Names of every installed adapter, sorted."""
    return sorted(_entry_points())


def load_adapter(name: str) -> type[Adapter[Any]]:
    """Import and return the adapter class registered as ``name``.

    Raises:
        AdapterNotFound: no such name; the message suggests close names.
        AdapterSetupError: the entry point does not name an :class:`Adapter` subclass.
    """
    points = _entry_points()
    point = points.get(name)
    if point is None:
        close = difflib.get_close_matches(name, points, n=3, cutoff=0.5)
        hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
        known = ", ".join(sorted(points)) or "none"
        raise AdapterNotFound(f"no adapter named {name!r}{hint} (installed: {known})")
    try:
        cls = point.load()
    except (ImportError, AttributeError) as exc:
        raise AdapterSetupError(f"adapter {name!r} ({point.value}) cannot be imported") from exc
    if not (isinstance(cls, type) and issubclass(cls, Adapter)):
        raise AdapterSetupError(f"entry point {name!r} ({point.value}) is not an Adapter class")
    return cls


def create_adapter(
    name: str, raw_config: Mapping[str, Any], options: AdapterOptions
) -> Adapter[Any]:
    """Build adapter ``name`` from its raw settings mapping, validated by its own model.

    Raises:
        AdapterNotFound: unknown name.
        AdapterSetupError: the settings do not validate (field names given, values not).
    """
    cls = load_adapter(name)
    try:
        config = cls.config_model.model_validate(dict(raw_config))
    except ValidationError as exc:
        fields = ", ".join(".".join(map(str, err["loc"])) or "?" for err in exc.errors())
        raise AdapterSetupError(f"adapter {name!r}: invalid settings at {fields}") from None
    return cls(config, options)


def create_adapters(
    section: Mapping[str, Mapping[str, Any]], options: AdapterOptions
) -> dict[str, Adapter[Any]]:
    """Build every enabled adapter of a settings section ``{name: settings}``.

    All names are resolved first, so one typo fails start-up before any
    adapter opens a connection. Disabled adapters (``enabled: false``) are left out.
    """
    for name in section:
        load_adapter(name)
    return {
        name: create_adapter(name, raw, options)
        for name, raw in section.items()
        if raw.get("enabled", True)
    }
