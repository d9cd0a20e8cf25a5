"""Worker processes take a run's city partitions from RabbitMQ; one killed is taken over.

Two ``certhub serve --role worker`` processes share a PostgreSQL ledger and a
RabbitMQ deployment (the real services on 127.0.0.1); ``certhub compare run
--by-city`` (an ingress process: it only publishes) submits the run. While
each worker holds a partition, one is killed with SIGKILL: RabbitMQ hands
its unacknowledged job to the other, which takes the partition over once
the dead worker's lease has run out. The run completes with every city done
and each certification in the ledger once.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aio_pika
import pytest
from deliverykit import AMQP_URL
from deployment_fixtures import deployment, ministry, pg_database

from certhub.hub.comparison.engine import CITIES
from tests.reliability.kit import Deployment

from .conftest import PERIOD

__all__ = ["deployment", "ministry", "pg_database"]

LEASE = "3"  # seconds: the dead worker's partition is taken over soon after


@pytest.fixture
def deployment_env() -> dict[str, str]:
    """A short lease, and one city at a time per worker (so each holds one when one dies)."""
    return {
        "CERTHUB_COMPARISON_PARTITION_LEASE_SECONDS": LEASE,
        "CERTHUB_COMPARISON_PARALLEL_PARTITIONS": "1",
    }


async def _until(deployment: Deployment, sql: str, expected: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while int((await deployment.query(sql))[0][0]) < expected:
        logs = "\n".join(f"--- {h.name}:\n{h.tail(10)}" for h in deployment.processes)
        assert time.monotonic() < deadline, f"{sql} < {expected}:\n{logs}"
        await asyncio.sleep(0.05)


async def _stopped_holding(deployment: Deployment, pid: int, held: str) -> set[str]:
    """Stop the worker ``pid`` (SIGSTOP) while it holds a city: the cities it holds then.

    Seen running a city, a worker may settle it in the instant before it is stopped (a
    city of 5,000 pensioners takes a fraction of a second): it goes on, and is stopped at
    its next city. Before, such a kill left no orphan and the test failed."""
    for _ in range(20):
        await _until(deployment, held, 1, 120)
        os.kill(pid, signal.SIGSTOP)
        cities = {str(c) for (c,) in await deployment.query(held.replace("count(*)", "city"))}
        if cities:
            return cities
        os.kill(pid, signal.SIGCONT)
    raise AssertionError("the worker was never stopped while it held a city (20 tries)")


@pytest.fixture
async def jobs_topology(deployment: Deployment) -> AsyncIterator[None]:
    """The partition queue and its exchange deleted after the test (the kit knows the rest)."""
    yield
    connection = await aio_pika.connect(AMQP_URL, timeout=10)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(f"{deployment.prefix}.comparison")
        await channel.exchange_delete(f"{deployment.prefix}.jobs")


@pytest.mark.usefixtures("jobs_topology")
async def test_worker_processes_take_the_cities_and_a_killed_ones_city_is_taken_over(
    generated_small: Path, deployment: Deployment
) -> None:
    first, second = (deployment.process(f"worker-{n}", role="worker") for n in (1, 2))
    first.start()
    await first.ready()  # migrates the empty database first
    second.start()
    await second.ready()
    submitted = await asyncio.to_thread(
        deployment.cli, "compare", "run", "--period", PERIOD, "--input", str(generated_small),
        "--by-city", "--no-wait", seconds=120,
    )  # fmt: skip
    assert submitted.returncode == 0, submitted.stderr
    assert first.process is not None
    held = (
        "SELECT count(*) FROM comparison_partitions WHERE state = 'running'"
        f" AND holder LIKE '%:{first.process.pid}:%'"
    )
    orphans = await _stopped_holding(deployment, first.process.pid, held)
    first.kill9()  # while it holds a city (stopped, it could not settle it meanwhile)
    settled = "SELECT count(*) FROM comparison_partitions WHERE state IN ('done', 'failed')"
    await _until(deployment, settled, len(CITIES), 300)

    rows = await deployment.query("SELECT city, state, attempts FROM comparison_partitions")
    assert {str(state) for _, state, _ in rows} == {"done"}
    assert {str(city) for city, _, _ in rows} == set(CITIES)
    attempts = {str(c): int(str(a)) for c, _, a in rows}
    assert {attempts[city] for city in orphans} == {2}  # taken over by the other worker
    path = deployment.data_dir / "comparison-runs" / f"{PERIOD}-all.json"
    deadline = time.monotonic() + 30  # the last worker rewrites it just after settling
    while (summary := json.loads(path.read_text()))["state"] != "completed":
        assert time.monotonic() < deadline, summary["partitions"]
        await asyncio.sleep(0.05)
    certified = await deployment.query(
        "SELECT count(*), count(DISTINCT message_id) FROM ledger"
        " WHERE sender = 'adapter:comparison' AND message_type = 'certification_event/v1'"
    )
    assert certified[0] == (summary["certified"], summary["certified"])  # each once
    assert summary["certified"] > 0
