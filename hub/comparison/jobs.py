"""A comparison run split by city: planned in the ledger, its partitions taken by workers.

``certhub compare run --by-city`` submits a run (:meth:`ComparisonJobs.submit`):
one ledger row per city partition (:mod:`certhub.hub.store.comparison_jobs`),
then one job per partition on the partition queue. A worker takes a job
(:meth:`ComparisonJobs.handle`): it claims the partition in the ledger — a
job delivered twice runs once — runs the engine for that city, records the
city's certifications, reports and voids through the inbound path
(:func:`~certhub.hub.comparison.recording.record_into`), and settles the
partition: ``done``, or, when it failed, ``retrying`` and its job published
again (that partition alone), until ``CERTHUB_COMPARISON_PARTITION_ATTEMPTS``
are used and it is ``failed``. After each settlement the run's summary
(``<period>-all.json``, :func:`~certhub.hub.comparison.partitions.merge_summaries`)
is rewritten; the run is over when every partition is settled.

The queue is the deployment's broker, wired with delivery
(:mod:`certhub.hub.delivery.partition_queue`): on the embedded default an
in-process queue (:class:`LocalPartitionQueue`) drained by
``CERTHUB_COMPARISON_PARALLEL_PARTITIONS`` tasks of the process that
submitted (partitions run side by side there); with RabbitMQ the durable
quorum queue ``P.comparison`` taken by the workers (``certhub serve --role
worker``), each running that many partitions at a time. Every message the
recording sends has an id made of the facts, so a partition run again — a
retry, a redelivery after a worker died, a re-run of the period — records
nothing twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final, Protocol

from aiohttp import web

from certhub.hub.comparison.engine import CITIES, RunOptions, parse_period
from certhub.hub.comparison.partitions import (
    PartitionJob,
    compare_partition,
    merge_summaries,
    whole_file_facts,
)
from certhub.hub.comparison.recording import comparison_sender, record_into, refusal_text
from certhub.hub.comparison.typed_roster import snapshot_source
from certhub.hub.core.keys import SETTINGS
from certhub.hub.core.periodic import WorkQueue, cancel_and_wait
from certhub.hub.ingress.inbound import InboundSender
from certhub.hub.store.base import StoreError
from certhub.hub.store.comparison_jobs import (
    SETTLED,
    PartitionHold,
    PartitionLedger,
    PartitionRow,
    PartitionState,
)
from certhub.security import replace_atomic

__all__ = [
    "ComparisonJobs",
    "JobHandler",
    "JobPolicy",
    "LocalPartitionQueue",
    "PartitionQueue",
    "PartitionRecorder",
    "RunInProgress",
]

log = logging.getLogger(__name__)

REQUEUE_PAUSE: Final = 1.0  # before a job whose handling broke is taken again
JobHandler = Callable[[PartitionJob], Awaitable[None]]
PartitionWork = Callable[[PartitionJob], Awaitable[None]]
"""Runs and records one partition; raising means the attempt failed."""


class PartitionQueue(Protocol):
    """Moves partition jobs from the run's submitter to the workers."""

    async def start(self, handler: JobHandler | None) -> None:
        """Take jobs with ``handler`` (None: this process only publishes)."""
        ...

    async def publish(self, job: PartitionJob) -> None:
        """Hand ``job`` on (raise the broker's error if it cannot take it now)."""
        ...

    async def aclose(self) -> None:
        """Stop taking jobs; what is queued stays with the broker (or, in-process, is lost
        with the process: its partitions stay ``queued`` in the ledger for a re-run)."""
        ...


class LocalPartitionQueue:
    """The embedded default's queue: ``parallel`` tasks of this process take the jobs."""

    def __init__(self, *, parallel: int) -> None:
        """Run up to ``parallel`` partitions at a time."""
        self._queue: WorkQueue[PartitionJob] = WorkQueue()  # unbounded: at most 21 jobs a run
        self._parallel = parallel

    async def start(self, handler: JobHandler | None) -> None:
        """Start the consumers (none without a handler)."""
        if handler is not None:
            self._queue.start(self._parallel, handler, self._again)

    async def publish(self, job: PartitionJob) -> None:
        """Queue ``job``."""
        await self._queue.put(job)

    async def aclose(self) -> None:
        """Stop the consumers."""
        await self._queue.stop()

    async def _again(self, job: PartitionJob) -> None:
        # handling broke (the ledger away): the job comes back, as on AMQP
        log.exception("comparison partition %s not handled; queued again", job.message_id)
        await asyncio.sleep(REQUEUE_PAUSE)
        await self._queue.put(job)


class RunInProgress(ValueError):
    """The run is being worked on: it is not planned again meanwhile."""


@dataclass(frozen=True, slots=True)
class JobPolicy:
    """How often a partition is tried, and how long a silent worker keeps it."""

    max_attempts: int = 3
    lease_seconds: float = 120.0  # its holder touches it every quarter of this
    poll_seconds: float = 0.5  # how often :meth:`ComparisonJobs.wait` reads the ledger
    busy_pause_seconds: float = 5.0  # before a job of a partition held elsewhere comes back


class ComparisonJobs:
    """Submits runs split by city, handles their partition jobs, keeps their summaries."""

    def __init__(
        self,
        store: PartitionLedger,
        queue: PartitionQueue,
        work: PartitionWork,
        runs_dir: Path,
        policy: JobPolicy = JobPolicy(),
    ) -> None:
        """Plan in ``store``, hand jobs over ``queue``, run each with ``work``."""
        self._store = store
        self._queue = queue
        self._work = work
        self._runs_dir = runs_dir
        self._policy = policy

    async def submit(
        self, inputs: Path, period: str, *, as_of: date, roster: Path | None = None
    ) -> PartitionJob:
        """Plan ``period``'s run city by city and publish one job per city; the run's job
        template (city ``all``) names it. ``inputs`` is an absolute folder every worker reads;
        ``roster`` the month's typed snapshot (absolute), which every city then reads
        instead of ``inputs``' roster (:func:`~.partitions.compare_partition`).

        Raises:
            ValueError: a malformed period.
            RunInProgress: a city of the run is at work (a ValueError).
            ComparisonInputError: the roster is missing or lacks a column (nothing queued).
            BrokerUnavailable: a job could not be published (the run stays planned; submit
                again; :class:`~certhub.hub.delivery.broker.BrokerUnavailable`).
        """
        parse_period(period)
        source = None if roster is None else await asyncio.to_thread(snapshot_source, roster)
        run = PartitionJob(f"{period}-all", period, "all", inputs, as_of, roster, source)
        await self._check_not_running(run)
        # checks the roster, too
        whole = await asyncio.to_thread(whole_file_facts, inputs, roster)
        text = json.dumps(whole, ensure_ascii=False, indent=2) + "\n"
        await asyncio.to_thread(_write, self._whole_path(run), text.encode())
        await self._store.plan_partitions(run.run_id, period, CITIES, now=time.time())
        await self.summarise(run)
        for city in CITIES:
            await self._queue.publish(run.for_city(city))
        return run

    async def handle(self, job: PartitionJob) -> None:
        """Claim, run and settle one partition; publish it again if it failed with attempts left.

        A job whose partition is settled is dropped (it was delivered twice);
        one whose partition another holder is running comes back after a
        pause, so that if that holder died (it stops touching the partition)
        the job is there to take it over once the lease has run out.
        """
        policy = self._policy
        # who holds it, for an operator reading the table: machine, process, this claim
        holder = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        hold = PartitionHold(job.run_id, job.city, holder)
        attempt = await self._store.claim_partition(
            hold, now=time.time(), lease=policy.lease_seconds
        )
        if attempt is None:
            await self._not_claimed(job)
            return
        error: str | None = None
        beating = asyncio.create_task(self._touch(job, hold))
        try:
            await self._work(job)
        except Exception as exc:  # any failure of the attempt: the policy decides what follows
            error = f"attempt {attempt}: {refusal_text(exc)}"
            log.warning("comparison partition %s failed: %s", job.message_id, error)
        finally:
            await cancel_and_wait(beating)
        state = await self._store.settle_partition(
            hold, error=error, max_attempts=policy.max_attempts, now=time.time()
        )
        if state is PartitionState.RETRYING:
            await self._queue.publish(job)  # this partition alone, again
        await self.summarise(job)

    async def _touch(self, job: PartitionJob, hold: PartitionHold) -> None:
        """Keep the partition held while the holder works (a quarter of the lease apart)."""
        while True:
            await asyncio.sleep(self._policy.lease_seconds / 4)
            try:
                await self._store.touch_partition(hold, now=time.time())
            except StoreError:  # the next touch may pass; a lost lease only means a retry
                log.warning("comparison partition %s: lease not renewed", job.message_id)

    async def _not_claimed(self, job: PartitionJob) -> None:
        found = [p for p in await self._store.partitions(job.run_id) if p.city == job.city]
        if not found or found[0].state in SETTLED:
            log.info("comparison partition %s settled; job dropped", job.message_id)
            return
        await asyncio.sleep(self._policy.busy_pause_seconds)  # its holder may yet settle it
        await self._queue.publish(job)

    async def _check_not_running(self, run: PartitionJob) -> None:
        """Refuse to plan a run again while a city of it is at work (touched within the lease);
        a run whose process died (its cities silent past the lease) may be planned again."""
        fresh = time.time() - self._policy.lease_seconds
        busy = [p for p in await self._store.partitions(run.run_id)
                if p.state not in SETTLED and p.updated_at > fresh]  # fmt: skip
        if busy:
            raise RunInProgress(
                f"comparison run {run.run_id} is in progress ({len(busy)} cities not settled);"
                " wait for it, or submit again once it has been silent for"
                f" {self._policy.lease_seconds:.0f} s (CERTHUB_COMPARISON_PARTITION_LEASE_SECONDS)"
            )

    async def summarise(self, job: PartitionJob) -> dict[str, Any]:
        """Rewrite the run's summary until it shows the ledger's latest partition states.

        Two workers settling at once may each write; whoever writes last
        checks the ledger again after writing, so the file ends current.
        """
        while True:
            partitions = await self._store.partitions(job.run_id)
            summaries = await asyncio.to_thread(self._city_summaries, job.period)
            whole = await asyncio.to_thread(_read_json, self._whole_path(job))
            summary = merge_summaries(job, partitions, summaries, whole)
            text = json.dumps(summary, ensure_ascii=False, indent=2, default=str) + "\n"
            path = self._runs_dir / f"{job.run_id}.json"
            await asyncio.to_thread(_write, path, text.encode())
            if _outcomes(await self._store.partitions(job.run_id)) == _outcomes(partitions):
                return summary

    async def wait(
        self, run: PartitionJob, on_change: Callable[[int, int], None] | None = None
    ) -> dict[str, Any]:
        """Wait until every partition of ``run`` is settled; the run's final summary.

        ``on_change(settled, total)`` is called whenever that count moves.
        """
        seen = -1
        while True:
            partitions = await self._store.partitions(run.run_id)
            settled = sum(p.state in SETTLED for p in partitions)
            if settled != seen and on_change is not None:
                on_change(settled, len(partitions))
            seen = settled
            if partitions and settled == len(partitions):
                return await self.summarise(run)
            await asyncio.sleep(self._policy.poll_seconds)

    def _whole_path(self, run: PartitionJob) -> Path:
        """Beside the run's summary; not a summary's name (``<period>-<scope>.json``)."""
        return self._runs_dir / f"{run.run_id}.whole-files.json"

    def _city_summaries(self, period: str) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for city in CITIES:
            if summary := _read_json(self._runs_dir / f"{period}-{city}.json"):
                found[city] = summary
        return found


def _read_json(path: Path) -> dict[str, Any]:
    """The JSON object in ``path``; empty if there is none yet."""
    try:
        document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    return document


def _outcomes(partitions: list[PartitionRow]) -> list[tuple[str, str, int, str | None]]:
    """What a summary shows of each partition (not when it was last touched)."""
    return [(p.city, p.state, p.attempts, p.error) for p in partitions]


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    replace_atomic(path, data)


class PartitionRecorder:
    """The work of one partition in a started hub: the city's comparison, then its recording."""

    def __init__(self, app: web.Application, *, options: RunOptions) -> None:
        """Record into ``app``'s ledger; bound each city's engine by ``options``."""
        self._app = app
        self._options = options
        self._sender: InboundSender | None = None
        self._enrolling = asyncio.Lock()  # partitions side by side enrol the sender once

    async def __call__(self, job: PartitionJob) -> None:
        """Compare ``job``'s city (in a thread) and record what came out."""
        data_dir = self._app[SETTINGS].data_dir
        run = await asyncio.to_thread(compare_partition, job, data_dir, self._options)
        await record_into(self._app, await self._comparison_sender(), run, job.period)

    async def _comparison_sender(self) -> InboundSender:
        async with self._enrolling:
            if self._sender is None:
                self._sender = await comparison_sender(self._app)
            return self._sender
