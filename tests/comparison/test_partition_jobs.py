"""A run split by city: the same outputs as one pass, a failed city retried alone, re-runs idle.

The embedded default runs the 21 partitions in the submitting process; with
RabbitMQ (the real broker on 127.0.0.1:5672) and PostgreSQL a worker takes
them from the durable queue. Either way the ledger must end holding exactly
the messages a one-pass run records, and the merged summary the same counts.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from deliverykit import AMQP_URL, prefix
from pgkit import throwaway_database
from prometheus_client import CollectorRegistry

from certhub.hub.api.comparison_routes import latest_summaries
from certhub.hub.cli.main import main
from certhub.hub.comparison.engine import CITIES, RunOptions
from certhub.hub.comparison.jobs import (
    ComparisonJobs,
    JobPolicy,
    LocalPartitionQueue,
    PartitionRecorder,
)
from certhub.hub.comparison.partitions import PartitionJob
from certhub.hub.core.keys import STORE
from certhub.hub.core.settings import Settings
from certhub.hub.delivery.partition_queue import RabbitPartitionQueue
from certhub.hub.delivery.rabbit import RabbitBroker
from certhub.hub.runtime.app import create_app
from certhub.hub.store import LedgerStore, StoreUnavailable, open_ledger
from certhub.monitoring.comparison_metrics import ComparisonRunsCollector

from .conftest import PERIOD, TODAY

__all__ = ["prefix"]  # each test's own RabbitMQ topology, from the delivery kit
SENDER = "adapter:comparison"
SAME = (
    "roster", "certified", "exempt_ratio", "seen_alive_but_direct_evidence", "tasks",
    "reversals", "review", "feed_records", "refused", "notes", "cities",
)  # fmt: skip
"""Every count of a one-pass summary a run by city must repeat (``unmatched`` it cannot know)."""


async def _messages(ledger: LedgerStore) -> set[tuple[str, str, str]]:
    """(type, sender, message id) of every record in the ledger."""
    found: set[tuple[str, str, str]] = set()
    after = 0
    while page := await ledger.page_all(after, 1000):
        found |= {(r.message_type, r.sender, r.message_id) for r in page}
        after = page[-1].sequence
    return found


def _ledger_messages(data: Path, url: str | None = None) -> set[tuple[str, str, str]]:
    async def read() -> set[tuple[str, str, str]]:
        ledger = await open_ledger(Settings(data_dir=data, database_url=url), read_only=True)
        try:
            return await _messages(ledger)
        finally:
            await ledger.aclose()

    return asyncio.run(read())


def _compare(generated: Path, data: Path, *extra: str) -> dict[str, Any]:
    argv = ["compare", "run", "--period", PERIOD, "--input", str(generated), "--data", str(data)]
    assert main([*argv, *extra]) == 0
    summary: dict[str, Any] = json.loads(
        (data / "comparison-runs" / f"{PERIOD}-all.json").read_text(encoding="utf-8")
    )
    return summary


@pytest.fixture(scope="module")
def one_pass(generated_small: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The data folder of a one-pass run of the small generated set (SQLite)."""
    data = tmp_path_factory.mktemp("one-pass")
    _compare(generated_small, data)
    return data


def test_a_run_by_city_records_what_one_pass_records_and_a_rerun_adds_nothing(
    generated_small: Path, one_pass: Path, tmp_path: Path
) -> None:
    reference = json.loads((one_pass / "comparison-runs" / f"{PERIOD}-all.json").read_text())
    data = tmp_path / "by-city"
    summary = _compare(generated_small, data, "--by-city")
    assert summary["state"] == "completed"
    assert set(summary["partitions"]) == set(CITIES)
    assert all(p == {"state": "done", "attempts": 1, "error": None}
               for p in summary["partitions"].values())  # fmt: skip
    assert {k: summary[k] for k in SAME} == {k: reference[k] for k in SAME}
    assert summary["ledger"]["recorded"] == reference["ledger"]["recorded"] > 0
    assert summary["ledger"]["reports"] == reference["ledger"]["reports"]
    assert summary["ledger"]["reversals"] == reference["ledger"]["reversals"]
    recorded = _ledger_messages(data)
    assert {m for m in recorded if m[1] == SENDER} == {
        m for m in _ledger_messages(one_pass) if m[1] == SENDER
    }

    registry = CollectorRegistry()
    runs = data / "comparison-runs"
    registry.register(ComparisonRunsCollector(lambda: latest_summaries(runs)))
    partitions = {state: registry.get_sample_value(
        "certhub_comparison_partitions", {"scope": "all", "state": state}
    ) for state in ("done", "failed", "running")}  # fmt: skip
    assert partitions == {"done": len(CITIES), "failed": 0, "running": 0}

    again = _compare(generated_small, data, "--by-city")
    assert again["state"] == "completed"
    assert again["ledger"]["recorded"] == 0
    assert again["ledger"]["already"] == reference["ledger"]["recorded"]
    assert _ledger_messages(data) == recorded  # no certification, no task, no step added


class FailsOnce:
    """The real work of a partition, made to fail on its first attempt for one city."""

    def __init__(self, work: PartitionRecorder, city: str) -> None:
        self.work, self.city = work, city
        self.attempts: dict[str, int] = {}
        self.failed = False  # once in the test: a re-run of the period succeeds

    async def __call__(self, job: PartitionJob) -> None:
        self.attempts[job.city] = self.attempts.get(job.city, 0) + 1
        if job.city == self.city and self.attempts[job.city] == 1 and not self.failed:
            self.failed = True
            raise OSError("No space left on device: /data/comparison-runs (injected)")
        await self.work(job)


async def _run_by_worker(
    settings: Settings, generated: Path, failing: str, rounds: int
) -> list[tuple[dict[str, Any], dict[str, int]]]:
    """Submit the period ``rounds`` times; a worker on RabbitMQ takes the partitions (city
    ``failing`` fails its first attempt). Each round's summary and attempts per city."""
    app = create_app(settings, registry=CollectorRegistry())
    runner = web.AppRunner(app)
    await runner.setup()
    broker = RabbitBroker(AMQP_URL, prefix=settings.amqp_prefix, prefetch=2)
    queue = RabbitPartitionQueue(broker, parallel=2)
    runs_dir = settings.data_dir / "comparison-runs"
    recorder = PartitionRecorder(app, options=RunOptions(memory_limit="512MB", threads=1))
    work = FailsOnce(recorder, failing)
    jobs = ComparisonJobs(app[STORE], queue, work, runs_dir,
                          JobPolicy(max_attempts=3, poll_seconds=0.1))  # fmt: skip
    try:
        await queue.start(jobs.handle)
        rounds_seen = []
        for _ in range(rounds):
            work.attempts.clear()
            run = await jobs.submit(generated, PERIOD, as_of=TODAY)
            summary = await asyncio.wait_for(jobs.wait(run), 600)
            rounds_seen.append((summary, dict(work.attempts)))
        return rounds_seen
    finally:
        await queue.aclose()
        await runner.cleanup()


def test_on_rabbitmq_a_failed_partition_is_retried_alone(
    generated_small: Path, one_pass: Path, tmp_path: Path, prefix: str
) -> None:
    reference = json.loads((one_pass / "comparison-runs" / f"{PERIOD}-all.json").read_text())
    busiest = max(reference["cities"], key=lambda city: reference["cities"][city]["roster"])
    with throwaway_database("certhub_jobs") as url:
        data = tmp_path / "worker"
        settings = Settings(
            data_dir=data, database_url=url, broker="rabbitmq", amqp_prefix=prefix,
            role="ingress", signature_helper=False, ministry_pull_seconds=0,
        )  # fmt: skip
        (first, tried), (second, tried_again) = asyncio.run(
            _run_by_worker(settings, generated_small, busiest, rounds=2)
        )
        recorded = _ledger_messages(data, url)

    assert first["state"] == "completed"
    partitions = first["partitions"]
    assert partitions[busiest] == {
        "state": "done", "attempts": 2,
        "error": "attempt 1: No space left on device: /data/comparison-runs (injected)",
    }  # fmt: skip
    assert all(p["attempts"] == 1 for city, p in partitions.items() if city != busiest)
    assert tried == {city: 2 if city == busiest else 1 for city in CITIES}  # it alone again
    assert {k: first[k] for k in SAME} == {k: reference[k] for k in SAME}
    assert first["ledger"]["recorded"] == reference["ledger"]["recorded"]
    assert {m for m in recorded if m[1] == SENDER} == {
        m for m in _ledger_messages(one_pass) if m[1] == SENDER
    }
    # the second round: every city once more, nothing new recorded
    assert second["state"] == "completed"
    assert all(p["attempts"] == 1 for p in second["partitions"].values())
    assert tried_again == dict.fromkeys(CITIES, 1)
    assert second["ledger"]["recorded"] == 0
    assert second["ledger"]["already"] == reference["ledger"]["recorded"]


async def test_the_in_process_queue_hands_a_job_back_when_handling_broke() -> None:
    queue = LocalPartitionQueue(parallel=1)
    seen: list[str] = []
    handled = asyncio.Event()

    async def handle(job: PartitionJob) -> None:
        seen.append(job.city)
        if len(seen) == 1:
            raise StoreUnavailable("ledger database unreachable")  # before any claim
        handled.set()

    await queue.start(handle)
    try:
        await queue.publish(PartitionJob(f"{PERIOD}-all", PERIOD, "4401", Path("/in"), TODAY))
        await asyncio.wait_for(handled.wait(), 30)
    finally:
        await queue.aclose()
    assert seen == ["4401", "4401"]
