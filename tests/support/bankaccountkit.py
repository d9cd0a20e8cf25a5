"""The mock bank's account check (账户一致性核验) for the adapter's contract tests and the
hub's restoration tests: the mock served on a free port, its API key in a file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from certhub.mocks.bank import BankAccountMock
from certhub.mocks.server import serve

API_KEY = "bank-key"


@pytest.fixture
async def bank() -> AsyncIterator[tuple[BankAccountMock, str]]:
    """The mock bank's account check (seed 5) on a free port: the mock and its URL."""
    mock = BankAccountMock(seed=5, api_key=API_KEY)
    async with serve(mock) as url:
        yield mock, url


def api_key_file(tmp: Path) -> Path:
    """The bank's API key written to ``<tmp>/bank.key``: its path."""
    key = tmp / "bank.key"
    key.write_text(API_KEY, encoding="utf-8")
    return key
