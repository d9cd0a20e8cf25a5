"""Suite-wide fixtures: every hub app a test starts answers by its own published contract."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from aiohttp import web
from openapi_contract import ContractCheck

from hub.context import SETTINGS


@pytest.fixture
def aiohttp_client(aiohttp_client: Callable[..., Any]) -> Iterator[Callable[..., Any]]:
    """pytest-aiohttp's ``aiohttp_client``, checking each hub exchange against ``/openapi.json``.

    Apps of the mock departments pass through unchanged; a hub app gets the contract
    check outermost. The test fails at teardown with every departure it saw.
    """
    contract = ContractCheck()

    async def start(app: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(app, web.Application) and SETTINGS in app:
            app.middlewares.insert(0, contract.middleware)
        return await aiohttp_client(app, *args, **kwargs)

    yield start
    if contract.violations:
        listed = "\n".join(dict.fromkeys(contract.violations))
        pytest.fail(f"responses or accepted requests depart from /openapi.json:\n{listed}")
