"""Each adapter is generic in its config: the registry's model is the type the adapter declares."""

from __future__ import annotations

from typing import Any, get_args, get_origin

import pytest

from certhub.adapters import Adapter, adapter_names, load_adapter


def declared_config(cls: type[Adapter[Any]]) -> type:
    """The ``ConfigT`` of the nearest ``Adapter[ConfigT]`` base."""
    for klass in cls.__mro__:
        for base in getattr(klass, "__orig_bases__", ()):
            if get_origin(base) is Adapter:
                (config,) = get_args(base)
                return config  # type: ignore[no-any-return]
    raise AssertionError(f"{cls.__name__} does not subclass Adapter[SomeConfig]")


@pytest.mark.parametrize("name", adapter_names())
def test_the_config_the_registry_validates_is_the_config_the_adapter_declares(name: str) -> None:
    cls = load_adapter(name)
    assert declared_config(cls) is cls.config_model
