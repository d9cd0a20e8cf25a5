"""Start-up and shutdown of the departments: adapters by role, the certification-source pull."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from functools import partial

from aiohttp import web

from certhub.adapters import AdapterOptions, AdapterSetupError, create_adapters
from certhub.hub.core.keys import (
    CERTIFICATION_PULL,
    DEPARTMENTS,
    LEADERSHIP,
    METRICS,
    PIPELINE,
    PROCEDURE,
    SETTINGS,
    SHARED,
    STORE,
    TRUST,
)
from certhub.hub.departments.registry import CertificationPull, Departments, FileCursor
from certhub.hub.ingress.inbound import InboundIngestor, InboundSender, enrol_inbound
from certhub.hub.procedure.intake import plan_intake
from certhub.monitoring.adapter_metrics import AdapterMetrics

PULL_SINGLETON = "ministry-pull"
"""The certification-source pull: its leader lock and, on PostgreSQL, its cursor's name."""


async def departments_context(app: web.Application) -> AsyncIterator[None]:
    """Build the configured adapters; a wrong adapter name fails start-up here."""
    settings = app[SETTINGS]
    hub_metrics = app[METRICS]
    metrics = AdapterMetrics(
        hub_metrics.registry, signature_failures=hub_metrics.signature_failures
    )
    adapters = create_adapters(settings.adapters, AdapterOptions(metrics))
    try:
        departments = Departments(adapters, settings.adapter_roles)
    except AdapterSetupError:
        for adapter in adapters.values():
            await adapter.aclose()
        raise
    app[DEPARTMENTS] = departments
    app[TRUST].watch_adapters(departments.adapters.values())  # their key files reload too
    try:
        yield
    finally:
        await departments.aclose()


async def certification_pull_context(app: web.Application) -> AsyncIterator[None]:
    """Pull certification results periodically from the department playing that role, if any."""
    settings = app[SETTINGS]
    source = app[DEPARTMENTS].certification_source
    name = app[DEPARTMENTS].player("certification_source")
    if source is None or name is None:
        yield
        return
    sender, ingestor = await certification_intake(app, name)
    shared = app[SHARED]  # PostgreSQL: the cursor outlives a change of leader
    cursor = (
        shared.state.cursor(PULL_SINGLETON)
        if shared is not None
        else FileCursor(settings.data_dir / "state" / "ministry.cursor")
    )
    pull = CertificationPull(source, ingestor, sender, cursor)
    app[CERTIFICATION_PULL] = pull
    interval = settings.ministry_pull_seconds
    loops = [partial(pull.run, interval)] if interval > 0 else []
    async with app[LEADERSHIP].running(PULL_SINGLETON, *loops):  # one process of the deployment
        yield


async def certification_intake(
    app: web.Application, name: str
) -> tuple[InboundSender, InboundIngestor]:
    """Enrol ``name`` as a sender of certification events; it and the ingestor recording them.

    One way in for every source of certifications: the pulled certification
    source, the bank reconciliation import and the comparison's results all
    go through the intake planner, exactly like a pushed event.
    """
    sender = await enrol_adapter(app, name, ["certification_event/v1"])
    await asyncio.to_thread(app[TRUST].reload_if_changed)  # the new key is trusted from now on
    return sender, intake_ingestor(app)


def intake_ingestor(app: web.Application) -> InboundIngestor:
    """The ingestor of what departments bring in: verified, planned by the intake planner and
    recorded exactly like a pushed message (it counts in the hub's metrics)."""
    plan = partial(plan_intake, app[PROCEDURE])
    return InboundIngestor(app[PIPELINE], app[STORE], plan, app[METRICS])


async def enrol_adapter(app: web.Application, name: str, types: Sequence[str]) -> InboundSender:
    """Enrol adapter ``name`` in the trust store as the sender of ``types`` (its key pair made
    on first use; on PostgreSQL the deployment's one key for it, so every process signs alike).

    The caller reloads the trust store once it has enrolled what it needs.
    """
    settings = app[SETTINGS]
    shared = app[SHARED]
    key = await shared.adapter_key(name) if shared is not None else None
    return await asyncio.to_thread(
        enrol_inbound, settings.keys_dir, settings.trust_store_path, name, list(types), key
    )
