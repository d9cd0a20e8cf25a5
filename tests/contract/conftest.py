"""Fixtures of the contract suites: running mocks, and settings naming real endpoints."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pydantic_settings import BaseSettings, SettingsConfigDict

from certhub.mocks.eid import EidMock
from certhub.mocks.eid_registry import EidRegistry
from certhub.mocks.ministry import MinistryMock
from certhub.mocks.server import serve
from certhub.mocks.sms import SmsMock


class ContractSettings(BaseSettings):
    """Real department endpoints for ``-m real`` runs, e.g. ``CERTHUB_CONTRACT_EID__BASE_URL``.

    Each department section is the adapter's own settings mapping; the sample
    files name test persons the real department knows.
    """

    model_config = SettingsConfigDict(
        env_prefix="CERTHUB_CONTRACT_", env_nested_delimiter="__", extra="ignore"
    )

    eid: dict[str, Any] | None = None
    eid_sample: Path | None = None
    ministry: dict[str, Any] | None = None
    sms: dict[str, Any] | None = None
    sms_mobile: str = "13800138000"


@pytest.fixture
def contract_settings() -> ContractSettings:
    """Settings read once per test from the environment."""
    return ContractSettings()


@pytest.fixture
async def eid_mock() -> AsyncIterator[tuple[EidMock, str]]:
    """The e-ID mock on a free 127.0.0.1 port, with its base URL."""
    mock = EidMock(EidRegistry(seed=11))
    async with serve(mock) as url:
        yield mock, url


@pytest.fixture
async def ministry_mock() -> AsyncIterator[tuple[MinistryMock, str]]:
    """The ministry mock on a free port."""
    mock = MinistryMock(seed=12, size=90)
    async with serve(mock) as url:
        yield mock, url


@pytest.fixture
async def sms_mock() -> AsyncIterator[tuple[SmsMock, str]]:
    """The SMS gateway mock on a free port, requiring an API key."""
    mock = SmsMock(api_key="contract-key")
    async with serve(mock) as url:
        yield mock, url
