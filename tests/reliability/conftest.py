"""Fixtures of the reliability tests (the kit itself is :mod:`tests.reliability.kit`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from pgkit import throwaway_database

from .kit import CountingMinistry, Deployment, Parties


@pytest.fixture
def pg_database() -> Any:
    """A fresh PostgreSQL database for one test, dropped after it."""
    with throwaway_database("certhub_rel") as url:
        yield url


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
