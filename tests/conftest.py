"""Suite-wide fixtures: every hub app a test starts answers by its own published contract."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp.test_utils import BaseTestServer
from hypothesis import settings
from openapi_contract import ContractCheck

from certhub.hub.core.keys import SETTINGS

# Property tests judge what an input does, not how fast: on two shared cores one example
# (a DuckDB query, an Ed25519 signature) can exceed hypothesis's 200 ms deadline without
# anything being wrong, and a flaky failure teaches nothing. Speed has its benchmarks.
settings.register_profile("certhub", deadline=None)
settings.load_profile("certhub")


@pytest.fixture(autouse=True)
def openapi_contract(monkeypatch: pytest.MonkeyPatch) -> Iterator[ContractCheck]:
    """Check each exchange with a hub app against ``/openapi.json``; fail the test on drift.

    Every test server (pytest-aiohttp's ``aiohttp_client``, or a ``TestServer`` built
    by hand) that serves a hub app gets the contract check as its outermost
    middleware; apps of the mock departments pass through unchanged. The test fails
    at teardown with every departure it saw.
    """
    contract = ContractCheck()
    start_server = BaseTestServer.start_server

    async def start_checked(self: BaseTestServer, *args: Any, **kwargs: Any) -> None:
        app = getattr(self, "app", None)
        if app is not None and SETTINGS in app and not app.frozen:
            app.middlewares.insert(0, contract.middleware)
        await start_server(self, *args, **kwargs)

    monkeypatch.setattr(BaseTestServer, "start_server", start_checked)
    yield contract
    if contract.violations:
        listed = "\n".join(dict.fromkeys(contract.violations))
        pytest.fail(f"responses or accepted requests depart from /openapi.json:\n{listed}")
