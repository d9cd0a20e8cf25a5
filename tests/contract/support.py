"""Helpers of the contract suites: adapter options, policy for tests, fault control."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import httpx
import pytest
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


class AgainstMock:
    """The mock half of a contract suite: put first in the bases of a test class beside the
    department's contract and its fault contract.

    The mock is the running ``<department>_mock`` fixture (the mock and its base URL); the
    adapter is ``department`` (a ``kind``) built from :meth:`settings` against it, and
    ``faults`` drives the mock's faults.
    """

    department: ClassVar[str]
    kind: ClassVar[type[Adapter[Any]]]

    def settings(self, mock: Any, url: str, scratch: Path) -> dict[str, Any]:
        """The adapter's settings against ``mock`` at ``url`` (key files under ``scratch``)."""
        raise NotImplementedError

    @pytest.fixture
    def mock(self, request: pytest.FixtureRequest) -> tuple[Any, str]:
        """The department's running mock and its base URL."""
        return request.getfixturevalue(f"{self.department}_mock")  # type: ignore[no-any-return]

    @pytest.fixture
    def faults(self, mock: tuple[Any, str]) -> FaultControl:
        """The running mock's fault control."""
        return FaultControl(mock[1])

    @pytest.fixture
    async def adapter(self, mock: tuple[Any, str], tmp_path: Path) -> AsyncIterator[Adapter[Any]]:
        """The adapter built from :meth:`settings`, closed after the test."""
        settings = self.settings(*mock, tmp_path)
        async with running(self.department, settings, self.kind) as adapter:
            yield adapter


class AgainstRealEndpoint:
    """The real half of a contract suite (kombu's suite subclassed per backend): put first
    in the bases of a test class beside the department's contract; its tests are marked
    ``real``.

    The adapter is ``department`` (a ``kind``) built from the contract settings' section
    of that name; every test skips while that section, or any other setting in
    ``also_needed``, is not set.
    """

    pytestmark = pytest.mark.real
    department: ClassVar[str]
    kind: ClassVar[type[Adapter[Any]]]
    also_needed: ClassVar[tuple[str, ...]] = ()

    @pytest.fixture(autouse=True)
    def _named_endpoint(self, contract_settings: Any) -> None:
        needed = (self.department, *self.also_needed)
        if any(getattr(contract_settings, name) is None for name in needed):
            variables = [f"CERTHUB_CONTRACT_{name.upper()}" for name in needed]
            variables[0] += "__BASE_URL"  # the department's section: a variable per key
            pytest.skip(f"no real {self.department} endpoint named ({', '.join(variables)})")

    @pytest.fixture
    async def adapter(self, contract_settings: Any) -> AsyncIterator[Adapter[Any]]:
        section = getattr(contract_settings, self.department)
        async with running(self.department, section, self.kind) as adapter:
            yield adapter


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
