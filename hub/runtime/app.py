"""Build the aiohttp application: wire resources at start-up, close them at shutdown."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from datetime import timedelta
from functools import partial

from aiohttp import web
from prometheus_client import CollectorRegistry

from certhub.hub.accountability.kpi_metrics import kpi_metrics_context
from certhub.hub.api import (
    biometric_routes,
    comparison_routes,
    deadline_routes,
    disclosure_routes,
    enrolment_routes,
    entrance_routes,
    evidence_routes,
    inbound_routes,
    ingress_routes,
    kpi_routes,
    meta_routes,
    procedure_routes,
    pull_routes,
    rating_routes,
    recovery_routes,
    register_routes,
    restoration_proposal_routes,
    service_point_routes,
)
from certhub.hub.api.cursor import CursorCodec, load_or_create_cursor_key
from certhub.hub.api.edge import EdgeLimits, edge_middleware, server_header
from certhub.hub.api.middleware import problem_middleware
from certhub.hub.api.observe import observe_requests
from certhub.hub.api.report_bound import KeyTurns, SharedTurns
from certhub.hub.audit import checkpoint_signer
from certhub.hub.compliance.reporting_units import load_reporting_units
from certhub.hub.compliance.watch import compliance_context
from certhub.hub.core.build import build_commit, package_version
from certhub.hub.core.keys import (
    CURSORS,
    DEPARTMENTS,
    EDGE,
    EVIDENCE,
    KEYRING,
    METRICS,
    PIPELINE,
    PROCEDURE,
    REPORT_TURNS,
    REPORTING_UNITS,
    SERVICE_POINT_EXPORTS,
    SERVICE_POINTS,
    SETTINGS,
    SHARED,
    SHARED_TURNS,
    SIGNATURES,
    STORE,
    TRUST,
    UPLOAD_TURNS,
)
from certhub.hub.core.periodic import running
from certhub.hub.core.settings import Settings
from certhub.hub.delivery.context import delivery_context
from certhub.hub.departments.accounts import check_account
from certhub.hub.departments.context import certification_pull_context, departments_context
from certhub.hub.departments.registry import check_identity
from certhub.hub.ingress.inbound import adapter_sender
from certhub.hub.ingress.pipeline import IngressPipeline, receipt_presigner
from certhub.hub.problems import SECURITY_PROBLEMS
from certhub.hub.procedure.context import ProcedureContext, party_in
from certhub.hub.procedure.deadlines import deadline_context
from certhub.hub.procedure.outcomes import OutcomeSigner
from certhub.hub.register.reminders import reminder_context
from certhub.hub.register.suspensions import proposal_context
from certhub.hub.runtime.deployment import deployment_context, evidence_context, shared_trust
from certhub.hub.runtime.health import install_health
from certhub.hub.runtime.processes import receipt_signers
from certhub.hub.runtime.serving import edge_handler_args
from certhub.hub.runtime.trust_state import TrustState
from certhub.hub.service_points.exports import GeoJsonExports
from certhub.hub.store import SqliteLedger, open_ledger
from certhub.hub.store.sqlite.turns import TURNS_FOLDER, FileTurns
from certhub.hub.web import entrance
from certhub.monitoring.metrics import HubMetrics, register_process_collectors
from certhub.monitoring.server import serve_metrics
from certhub.security import HubKeyring, SignatureHelper


def create_app(settings: Settings, *, registry: CollectorRegistry | None = None) -> web.Application:
    """A ready-to-run hub application for ``settings``."""
    app = web.Application(
        client_max_size=settings.max_body_bytes,
        middlewares=[
            edge_middleware,
            # Correlation id, span, duration metric, access log of personal data: one layer
            # (a layer costs every request two coroutines); problems are answers inside it.
            observe_requests,
            problem_middleware,
        ],
        handler_args=edge_handler_args(settings),
    )
    app[SETTINGS] = settings
    registry = registry or CollectorRegistry()
    register_process_collectors(registry)
    app[METRICS] = HubMetrics(
        registry, version=package_version(), commit=build_commit(settings.build_commit)
    )
    app[METRICS].start_at_zero(SECURITY_PROBLEMS)
    app[EDGE] = EdgeLimits(
        max_pending=settings.http_max_pending_bodies,
        body_timeout=settings.http_body_timeout_seconds,
    )
    app[REPORT_TURNS] = KeyTurns()  # a coordinator key's reports, one at a time in this process
    app[UPLOAD_TURNS] = KeyTurns()  # a coordinator's evidence uploads, likewise
    app.on_response_prepare.append(server_header)
    install_health(app)
    if settings.metrics_port is not None:  # first up, last down: scrapes outlive the rest
        app.cleanup_ctx.append(
            serve_metrics(app[METRICS].registry, host=settings.host, port=settings.metrics_port)
        )
    app.cleanup_ctx.append(deployment_context)  # PostgreSQL: keys, evidence, singletons shared
    app.cleanup_ctx.append(_keyring)
    app.cleanup_ctx.append(_cursors)
    app.cleanup_ctx.append(_trust)
    app.cleanup_ctx.append(enrolment_routes.enrolment_ctx)
    app.cleanup_ctx.append(_signatures)
    app.cleanup_ctx.append(_ledger)
    app.cleanup_ctx.append(evidence_context)
    app.cleanup_ctx.append(departments_context)
    app.cleanup_ctx.append(_procedure)
    app.cleanup_ctx.append(compliance_context)  # compliance and task gauges for the alerts
    app.cleanup_ctx.append(deadline_context)  # reminders and escalations of task deadlines
    app.cleanup_ctx.append(kpi_metrics_context)  # the assessment KPIs as gauges
    app.cleanup_ctx.append(reminder_context)  # certification reminders before the due month
    app.cleanup_ctx.append(proposal_context)  # overdue → a suspension proposal to decide
    app.cleanup_ctx.append(delivery_context)  # outbox relay and consumers, by role
    app.cleanup_ctx.append(inbound_routes.inbound_ctx)  # after the ledger: adapters ingest into it
    app.cleanup_ctx.append(certification_pull_context)
    api = (
        ingress_routes.routes,
        pull_routes.routes,
        meta_routes.routes,
        evidence_routes.routes,
        procedure_routes.routes,
        enrolment_routes.routes,
        recovery_routes.routes,
        deadline_routes.routes,
        biometric_routes.routes,
        rating_routes.routes,
        kpi_routes.routes,
        disclosure_routes.routes,
        inbound_routes.routes,
        entrance_routes.routes,
        entrance.routes,
        comparison_routes.routes,
        register_routes.routes,
        restoration_proposal_routes.routes,
        service_point_routes.routes,
        service_point_routes.pages,
    )
    for table in api if settings.role != "worker" else (WORKER_ROUTES,):
        app.add_routes(table)
    comparison_routes.register_comparison_metrics(app)  # read from the run summaries
    return app


async def _keyring(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    shared = app[SHARED]
    if shared is not None:  # the deployment's keys, the same in every process
        app[KEYRING] = shared.hub_keys
    else:
        app[KEYRING] = await asyncio.to_thread(HubKeyring.load_or_create, settings.keys_dir)
    yield


async def _cursors(app: web.Application) -> AsyncIterator[None]:
    shared = app[SHARED]
    if shared is not None:
        key = shared.cursor_key
    else:
        key = await asyncio.to_thread(load_or_create_cursor_key, app[SETTINGS].cursor_key_path)
    app[CURSORS] = CursorCodec(key)
    yield


async def _trust(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    state = TrustState(
        settings.trust_store_path,
        clock_skew=settings.clock_skew,
        token_max_lifetime=timedelta(seconds=settings.read_token_max_lifetime_seconds),
        metrics=app[METRICS],
        database=await shared_trust(app[SHARED]),  # PostgreSQL: the deployment's, in every process
    )
    await asyncio.to_thread(state.load)
    await state.load_database()
    app[TRUST] = state
    async with running(state.watch(settings.trust_reload_seconds)):
        yield


async def _signatures(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    # Workers take no pushes; on one CPU a helper would only add hand-overs.
    wanted = settings.signature_helper and settings.role != "worker" and _usable_cpus() > 1
    helper = await _signature_helper(settings.signature_helper_from) if wanted else None
    if helper is not None:
        app[METRICS].watch_signature_helper(lambda: helper.running or helper.awaiting_demand)
    app[SIGNATURES] = helper
    yield
    if helper is not None:
        await helper.aclose()


async def _signature_helper(start_from: int) -> SignatureHelper:
    """The helper, started now (``start_from`` 0) or once that many signatures were asked."""
    return SignatureHelper.on_demand(start_from) if start_from else await SignatureHelper.start()


def _usable_cpus() -> int:
    """CPUs this process may run on (its affinity, e.g. a container's cpuset)."""
    return len(os.sched_getaffinity(0))


async def _ledger(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    metrics = app[METRICS]
    helper = app[SIGNATURES]
    checkpoint = checkpoint_signer(lambda: app[KEYRING].active, settings.hub_id)
    store = await open_ledger(
        settings,
        on_commit=metrics.ledger_batch_size.observe,
        checkpoint=checkpoint,
        presigner=receipt_presigner(helper) if helper is not None else None,
    )
    store.observe_writes(metrics.ledger_write_duration.observe)
    app[STORE] = store
    # A coordinator's sendings take turns in every process: PostgreSQL's advisory locks, or
    # on SQLite the data folder's file locks, which its processes all share (report_bound).
    folder_turns = FileTurns(settings.data_dir / TURNS_FOLDER)  # nothing is made until used
    app[SHARED_TURNS] = store if isinstance(store, SharedTurns) else folder_turns
    if isinstance(store, SqliteLedger) and settings.ledger_writer is None:  # the file's writer
        metrics.watch_ledger_wal(store.wal_bytes, settings.sqlite_wal_max_bytes)
    app[SERVICE_POINTS] = store  # the e-map's registry lives in the ledger database
    app[SERVICE_POINT_EXPORTS] = GeoJsonExports()
    keyring = app[KEYRING]
    trust = app[TRUST]
    app[PIPELINE] = IngressPipeline(
        verifier=lambda: trust.messages,
        store=store,
        receipts=receipt_signers(keyring, settings.hub_id),
        signatures=helper,
    )
    yield
    await store.aclose()


async def _procedure(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    keyring = app[KEYRING]
    vault = app[EVIDENCE]
    identity = app[DEPARTMENTS].identity
    accounts = app[DEPARTMENTS].account_verifier

    async def read_evidence(digest: str) -> bytes:
        return (await vault.get(digest))[0]

    app[PROCEDURE] = ProcedureContext(
        store=app[STORE],
        missing_evidence=vault.missing,
        outcomes=OutcomeSigner(lambda: keyring.active, hub_id=settings.hub_id),
        read_evidence=read_evidence,
        identity_check=partial(check_identity, identity) if identity is not None else None,
        identity_required=settings.identity_check == "required",
        account_check=partial(check_account, accounts) if accounts is not None else None,
        uplink_sender=_uplink_sender(app[DEPARTMENTS].player("uplink")),
        parties=lambda sender: party_in(app[TRUST].store, sender),  # reloads take effect
        deadline_days=settings.task_deadline_days,
        grace_months=settings.register_grace_months,
        rating_link=(
            partial(rating_routes.rating_link, app[CURSORS], settings.rating_base_url)
            if settings.rating_base_url
            else None
        ),
    )
    app[REPORTING_UNITS] = await asyncio.to_thread(load_reporting_units, settings)
    yield


def _uplink_sender(player: str | None) -> str | None:
    return None if player is None else adapter_sender(player)


WORKER_ROUTES = [
    web.get("/healthz", meta_routes.healthz),
    web.get("/readyz", meta_routes.readyz),
    web.get("/metrics", meta_routes.metrics),
]
"""A worker serves no API: only its health and metrics."""
