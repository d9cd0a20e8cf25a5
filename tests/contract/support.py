"""Helpers of the contract suites: adapter options, policy for tests, fault control."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import httpx
from prometheus_client import CollectorRegistry

from certhub.adapters import Adapter, AdapterOptions, create_adapter
from certhub.monitoring.adapter_metrics import AdapterMetrics

TEST_POLICY: dict[str, Any] = {
    "attempt_timeout": 0.25,
    "deadline": 5.0,
    "max_attempts": 3,
    "failure_threshold": 3,
    "reset_timeout": 60.0,
    "max_retry_after": 10.0,
}


def options() -> AdapterOptions:
    """Fresh metrics, backoff sleeps off."""
    return AdapterOptions(AdapterMetrics(CollectorRegistry()), testing=True)


A = TypeVar("A", bound=Adapter[Any])


@asynccontextmanager
async def running(name: str, settings: Mapping[str, Any] | None, kind: type[A]) -> AsyncIterator[A]:
    """Adapter ``name`` (a ``kind``) built from ``settings`` with :func:`options`; closed after."""
    assert settings is not None  # a real endpoint's tests skip before this when it is unnamed
    adapter = create_adapter(name, settings, options())
    assert isinstance(adapter, kind)
    yield adapter
    await adapter.aclose()


def sample(registry: CollectorRegistry, name: str, **labels: str) -> float:
    """A metric sample's value, 0 if absent."""
    return registry.get_sample_value(name, labels) or 0.0


class FaultControl:
    """Sets a mock's faults through its admin endpoint, as an operator would."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    async def set(self, **config: Any) -> None:
        """Replace the mock's fault configuration."""
        async with httpx.AsyncClient(base_url=self.base_url, trust_env=False) as client:
            response = await client.put("/_admin/faults", json=config)
            response.raise_for_status()

    async def script(self, *kinds: str, **extra: Any) -> None:
        """Play ``kinds`` on the next requests, then behave."""
        await self.set(script=list(kinds), **extra)

    async def requests(self) -> int:
        """Requests the mock has seen since the faults were last set."""
        async with httpx.AsyncClient(base_url=self.base_url, trust_env=False) as client:
            response = await client.get("/_admin/stats")
            return int(response.json()["requests"])
