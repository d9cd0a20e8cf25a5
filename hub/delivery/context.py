"""Start-up and shutdown of delivery: outbox monitor, back-pressure, broker, relay, consumers.

By role (``CERTHUB_ROLE``): ``ingress`` only watches the outbox (metrics and
back-pressure) — workers deliver what it queues; ``worker`` and ``all`` also
run the relay and the consumers, and with RabbitMQ consume the inbound
AMQP queue. The broker adds its ``broker`` readiness check here. Every role
gets the comparison's partition queue (:mod:`.partition_queue`): an ingress
process publishes partitions, the others take them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial

from aiohttp import web

from certhub.adapters.retry import DurableRetry
from certhub.hub.core.keys import (
    DELIVERY,
    DEPARTMENTS,
    LOAD,
    METRICS,
    NOTICE_SENDER,
    OUTBOX_DELIVERY,
    PIPELINE,
    PROCEDURE,
    READINESS,
    SETTINGS,
    STORE,
)
from certhub.hub.core.periodic import BackgroundTasks
from certhub.hub.delivery.amqp_ingress import AmqpIngress
from certhub.hub.delivery.backpressure import LoadShedder, OutboxMonitor
from certhub.hub.delivery.broker import Broker
from certhub.hub.delivery.destinations import role_destinations
from certhub.hub.delivery.dispatcher import DeliveryDispatcher
from certhub.hub.delivery.memory import InProcessBroker
from certhub.hub.delivery.notices import LoggingNoticeSender, NoticesChecked, SmsNoticeSender
from certhub.hub.delivery.notify import NoticeSender
from certhub.hub.delivery.partition_queue import comparison_jobs
from certhub.hub.delivery.rabbit import RabbitBroker
from certhub.hub.delivery.relay import OutboxRelay, RelayTiming
from certhub.hub.delivery.service import DeliveryService, NoDelivery
from certhub.hub.procedure.intake import plan_intake


async def delivery_context(app: web.Application) -> AsyncIterator[None]:
    """Wire delivery for this process's role; stop it in reverse order."""
    settings = app[SETTINGS]
    if NOTICE_SENDER not in app:  # a deployment or test may provide its own
        app[NOTICE_SENDER] = _notice_sender(app)
    monitor = OutboxMonitor(app[STORE], app[METRICS], interval=settings.delivery_poll_seconds)
    app[LOAD] = LoadShedder(
        monitor, max_backlog=settings.max_outbox_backlog, max_in_flight=settings.max_in_flight
    )
    watching = BackgroundTasks()
    watching.start(monitor.run())
    service: DeliveryService | None = None
    app[OUTBOX_DELIVERY] = NoDelivery()
    try:
        if settings.role != "ingress":
            service = _service(app)
            app[READINESS].register("broker", service.broker.ping)
            await service.start()
            app[DELIVERY] = service
            app[OUTBOX_DELIVERY] = service
            if isinstance(service.broker, RabbitBroker):
                plan = partial(plan_intake, app[PROCEDURE])
                await AmqpIngress(
                    service.broker, app[PIPELINE], plan, app[METRICS],
                    max_bytes=settings.max_body_bytes,
                ).start()  # fmt: skip
        async with comparison_jobs(app):
            yield
    finally:
        await watching.stop()
        if service is not None:
            await service.aclose()
        await app[NOTICE_SENDER].aclose()


def _service(app: web.Application) -> DeliveryService:
    settings = app[SETTINGS]
    broker: Broker
    if settings.broker == "rabbitmq":
        broker = RabbitBroker(
            settings.amqp_url.get_secret_value(),
            prefix=settings.amqp_prefix,
            prefetch=settings.delivery_concurrency,
        )
        batch = 256
    else:
        broker = InProcessBroker(concurrency=settings.delivery_concurrency)
        batch = 2 * settings.delivery_concurrency
    policy = DurableRetry(
        max_attempts=settings.delivery_max_attempts,
        backoff_initial=settings.delivery_backoff_initial,
        backoff_max=settings.delivery_backoff_max,
    )
    # every sender's reminders checked at send, the configured one or one provided
    notices = NoticesChecked(app[NOTICE_SENDER], app[STORE], app[PROCEDURE].outcomes.hub_id)
    destinations = role_destinations(app[DEPARTMENTS], notices)
    dispatcher = DeliveryDispatcher(app[STORE], destinations, policy, app[METRICS])
    timing = RelayTiming(
        poll=settings.delivery_poll_seconds,
        lease=settings.delivery_lease_seconds,
        redeliver=settings.delivery_redeliver_seconds,
        batch=batch,
    )
    return DeliveryService(app[STORE], broker, dispatcher, OutboxRelay(app[STORE], broker, timing))


def _notice_sender(app: web.Application) -> NoticeSender:
    """Over the department that plays the notifier role; the embedded default only logs."""
    gateway = app[DEPARTMENTS].notifier
    return LoggingNoticeSender() if gateway is None else SmsNoticeSender(gateway, app[STORE])
