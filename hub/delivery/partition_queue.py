"""The comparison's partition queue on this process's broker, started with delivery.

:class:`~certhub.hub.comparison.jobs.ComparisonJobs` hands city partitions
over a queue: on RabbitMQ the durable quorum queue ``P.comparison`` (declared
with the rest of the topology by :class:`~certhub.hub.delivery.rabbit.RabbitBroker`),
taken by every process but an ingress one — ``certhub compare run`` plays an
ingress process and only publishes; in-process, by the tasks of the process
that submitted (:class:`~certhub.hub.comparison.jobs.LocalPartitionQueue`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Final

from aio_pika.abc import AbstractIncomingMessage
from aiohttp import web

from certhub.hub.comparison.engine import RunOptions
from certhub.hub.comparison.jobs import (
    ComparisonJobs,
    JobHandler,
    JobPolicy,
    LocalPartitionQueue,
    PartitionQueue,
    PartitionRecorder,
)
from certhub.hub.comparison.partitions import PartitionJob
from certhub.hub.core.keys import COMPARISON_JOBS, SETTINGS, STORE
from certhub.hub.delivery.rabbit import RabbitBroker, settle

__all__ = ["RabbitPartitionQueue", "comparison_jobs"]

log = logging.getLogger(__name__)

JOB_KIND: Final = "comparison"  # the queue P.comparison (RabbitBroker's JOB_KINDS)
REQUEUE_PAUSE: Final = 1.0  # before a job whose handling broke (the ledger away) is handed back


class RabbitPartitionQueue:
    """The partition jobs on RabbitMQ's ``P.comparison`` (connected on first use)."""

    def __init__(self, broker: RabbitBroker, *, parallel: int) -> None:
        """Publish and consume through ``broker``; a worker takes ``parallel`` jobs at a time."""
        self._broker = broker
        self._parallel = parallel
        self._started = False

    async def start(self, handler: JobHandler | None) -> None:
        """Consume with ``handler``; a publisher only connects when it first publishes."""
        if handler is None:
            return
        await self._connect()
        await self._broker.consume_jobs(JOB_KIND, _acked(handler), prefetch=self._parallel)

    async def publish(self, job: PartitionJob) -> None:
        """Publish ``job`` and wait for the broker's confirm."""
        await self._connect()
        await self._broker.publish_job(JOB_KIND, job.to_bytes(), job.message_id)

    async def aclose(self) -> None:
        """Disconnect (a job being run goes back to the queue: its partition's lease decides)."""
        await self._broker.aclose()

    async def _connect(self) -> None:
        if not self._started:
            await self._broker.start((), handler=None)  # declares P.jobs and P.comparison
            self._started = True


def _acked(handler: JobHandler) -> Callable[[AbstractIncomingMessage], Awaitable[None]]:
    """Ack a job once handled (run, retried or dropped); hand it back if handling broke."""

    async def on_message(message: AbstractIncomingMessage) -> None:
        try:
            job = PartitionJob.from_bytes(message.body)
        except ValueError:
            log.exception("dropped a message that is not a partition job")
            await settle(message, requeue=False)  # to the dead-letter queue, for an operator
            return
        try:
            await handler(job)
        except Exception:
            log.exception("comparison partition %s not handled; requeued", job.message_id)
            await asyncio.sleep(REQUEUE_PAUSE)
            await settle(message, requeue=True)
            return
        await settle(message, requeue=None)

    return on_message


@contextlib.asynccontextmanager
async def comparison_jobs(app: web.Application) -> AsyncIterator[None]:
    """The partition queue of this process's broker; workers (and the embedded hub) take jobs.

    With RabbitMQ an ingress process (and ``certhub compare run``, which plays
    one) only publishes; with the in-process queue the process that submits
    runs its partitions itself.
    """
    settings = app[SETTINGS]
    parallel = settings.comparison_parallel_partitions
    queue: PartitionQueue
    if settings.broker == "rabbitmq":
        broker = RabbitBroker(
            settings.amqp_url.get_secret_value(), prefix=settings.amqp_prefix, prefetch=parallel
        )
        queue, consume = RabbitPartitionQueue(broker, parallel=parallel), settings.role != "ingress"
    else:
        queue, consume = LocalPartitionQueue(parallel=parallel), True
    # Side by side, the cities share the memory budget of one run (RunOptions' default).
    options = RunOptions(memory_limit=f"{max(256, 1024 // parallel)}MB")
    policy = JobPolicy(
        max_attempts=settings.comparison_partition_attempts,
        lease_seconds=settings.comparison_partition_lease_seconds,
    )
    runs_dir = settings.data_dir / "comparison-runs"
    jobs = ComparisonJobs(
        app[STORE], queue, PartitionRecorder(app, options=options), runs_dir, policy
    )
    try:
        await queue.start(jobs.handle if consume else None)
        app[COMPARISON_JOBS] = jobs
        yield
    finally:
        await queue.aclose()
