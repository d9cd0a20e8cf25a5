"""Fixtures of the reliability tests (the kit itself is :mod:`tests.reliability.kit`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from deployment_fixtures import ministry, pg_database

from .kit import CountingMinistry, Deployment, Parties

__all__ = ["ministry", "pg_database"]


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
