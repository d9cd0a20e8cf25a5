"""Shared fixtures: hub processes of one deployment on one PostgreSQL database and one RabbitMQ.

Import them into a ``conftest.py`` or a test module:
``from deployment_fixtures import deployment, deployment_env, ministry, pg_database``.
A module that needs more environment in every process (provisioned with the
deployment key, before any process starts) overrides :func:`deployment_env`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from pgkit import throwaway_database

from tests.reliability.kit import CountingMinistry, Deployment, Parties


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped after it."""
    with throwaway_database("certhub_dep") as url:
        yield url


@pytest.fixture
async def ministry() -> AsyncIterator[CountingMinistry]:
    """The counting ministry, listening; the hubs' uplink delivers to it."""
    department = CountingMinistry()
    await department.start()
    yield department
    await department.aclose()


@pytest.fixture
def deployment_env() -> dict[str, str]:
    """Environment every process of :func:`deployment` gets beyond the kit's (none here)."""
    return {}


@pytest.fixture
async def deployment(
    tmp_path: Path, ministry: CountingMinistry, pg_database: str, deployment_env: dict[str, str]
) -> AsyncIterator[Deployment]:
    """A deployment on PostgreSQL and RabbitMQ, its deployment key provisioned; cleaned after."""
    made = Deployment(
        work=tmp_path, parties=Parties(), ministry=ministry, database_url=pg_database,
        broker="rabbitmq",
    )  # fmt: skip
    made.provision_secrets(**deployment_env)
    yield made
    await made.aclose()
