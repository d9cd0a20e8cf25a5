"""Start-up and shutdown of the departments: adapters, the SMS notifier, the ministry pull."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from functools import partial

from aiohttp import web

from adapters import AdapterOptions, create_adapters
from hub.context import METRICS, NOTIFIER, PIPELINE, PROCEDURE, SETTINGS, STORE, TRUST
from hub.departments import Departments, MinistryPull, SmsNotifier
from hub.inbound import InboundIngestor, enrol_inbound
from hub.periodic import running
from hub.procedure.intake import plan_intake
from monitoring.adapter_metrics import AdapterMetrics

DEPARTMENTS = web.AppKey("departments", Departments)


async def departments_context(app: web.Application) -> AsyncIterator[None]:
    """Build the configured adapters; a wrong adapter name fails start-up here."""
    settings = app[SETTINGS]
    metrics = AdapterMetrics(app[METRICS].registry)
    departments = Departments(create_adapters(settings.adapters, AdapterOptions(metrics)))
    app[DEPARTMENTS] = departments
    app[TRUST].watch_adapters(departments.adapters.values())  # their key files reload too
    if departments.sms is not None:
        app[NOTIFIER] = SmsNotifier(departments.sms, app[STORE])
    try:
        yield
    finally:
        await departments.aclose()


async def ministry_context(app: web.Application) -> AsyncIterator[None]:
    """Pull the ministry's certification results periodically, when it is configured."""
    settings = app[SETTINGS]
    source = app[DEPARTMENTS].ministry
    if source is None:
        yield
        return
    sender = await asyncio.to_thread(
        enrol_inbound,
        settings.keys_dir,
        settings.trust_store_path,
        "ministry",
        ["certification_event/v1"],
    )
    await asyncio.to_thread(app[TRUST].reload_if_changed)
    ingestor = InboundIngestor(app[PIPELINE], app[STORE], partial(plan_intake, app[PROCEDURE]))
    pull = MinistryPull(source, ingestor, sender, settings.data_dir / "state" / "ministry.cursor")
    app[MINISTRY_PULL] = pull
    interval = settings.ministry_pull_seconds
    async with running(*([pull.run(interval)] if interval > 0 else [])):
        yield


MINISTRY_PULL = web.AppKey("ministry_pull", MinistryPull)
