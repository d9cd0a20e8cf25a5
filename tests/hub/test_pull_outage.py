"""The provincial pull while the PostgreSQL ledger refuses connections: a 503 to retry.

A poller written from ``/openapi.json`` backs off on what the document says a pull
can answer. A database that lets nobody in (``max_connections`` reached, a database
closed for maintenance) is an outage like a lost connection, not a hub bug.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from hubkit import Hub
from pgkit import admin, deployment_settings

from certhub.hub.api.openapi import openapi_document
from certhub.hub.api.pull_routes import PULLS

PROBLEM = "urn:certhub:problem:"


@pytest.fixture
async def pg_hub(hub_factory: Callable[..., Any], tmp_path: Path) -> AsyncIterator[Hub]:
    """A hub on a PostgreSQL database of its own, holding one report."""
    with deployment_settings(tmp_path, "certhub_pull_outage") as settings:
        hub: Hub = await hub_factory(**settings)
        assert (await hub.push(hub.sign(hub.report())))[0] == 202
        yield hub
        await hub.client.close()  # before the database is dropped


async def _refuse_connections(url: str, *, refuse: bool) -> None:
    """Close the database to new connections (and end the open ones), or open it again."""
    name = url.rsplit("/", 1)[1]
    await admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(not refuse).lower()}')
    if refuse:
        sessions = f"FROM pg_stat_activity WHERE datname = '{name}'"
        await admin(f"SELECT pg_terminate_backend(pid) {sessions} AND pid <> pg_backend_pid()")


async def test_a_pull_while_the_database_lets_nobody_in_is_503_then_recovers(
    pg_hub: Hub,
) -> None:
    url = pg_hub.settings.database_url
    assert url is not None
    await _refuse_connections(url.get_secret_value(), refuse=True)
    try:
        response = await pg_hub.client.get("/v1/reports", headers=pg_hub.bearer())
        body = await response.json(content_type=None)
    finally:
        await _refuse_connections(url.get_secret_value(), refuse=False)
    assert (response.status, body["type"]) == (503, PROBLEM + "store-unavailable")
    status, page = await pg_hub.pull()
    assert (status, len(page["items"])) == (200, 1)


@pytest.mark.parametrize("path", list(PULLS))
def test_every_pull_documents_the_503_a_poller_retries(path: str) -> None:
    responses = openapi_document()["paths"][path]["get"]["responses"]
    assert "503" in responses
