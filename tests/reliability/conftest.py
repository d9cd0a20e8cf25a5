"""Fixtures of the reliability tests (the kit itself is :mod:`tests.reliability.kit`)."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from .kit import CountingMinistry, Deployment, Parties

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


# --- PostgreSQL -----------------------------------------------------------------------------


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(ADMIN_URL, timeout=10)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _sync(sql: str) -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(lambda: asyncio.run(_admin(sql))).result()


@pytest.fixture
def pg_database() -> Any:
    """A fresh PostgreSQL database for one test, dropped after it."""
    name = f"certhub_rel_{secrets.token_hex(6)}"
    _sync(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        _sync(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture
async def ministry() -> AsyncIterator[CountingMinistry]:
    """The counting ministry, listening."""
    department = CountingMinistry()
    await department.start()
    yield department
    await department.aclose()


@pytest.fixture
async def deployment_factory(
    tmp_path: Path, ministry: CountingMinistry
) -> AsyncIterator[Callable[..., Deployment]]:
    """Make deployments (``database_url=…, broker=…``); all are torn down after the test."""
    made: list[Deployment] = []

    def make(**options: Any) -> Deployment:
        work = tmp_path / f"deployment-{len(made)}"
        work.mkdir()
        deployment = Deployment(work=work, parties=Parties(), ministry=ministry, **options)
        made.append(deployment)
        return deployment

    yield make
    for deployment in made:
        await deployment.aclose()
