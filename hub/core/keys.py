"""Every typed application key of the hub, in one module: what a running hub wires at start-up.

Each key is declared with the type of what it holds; the types are imported
for the type checker only, so this module imports nothing of ``hub`` when it
runs and every layer (routes, delivery, departments, health) may read the
app's resources through it without an import cycle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from certhub.hub.accountability.kpi_metrics import KpiPublisher
    from certhub.hub.api.cursor import CursorCodec
    from certhub.hub.api.edge import EdgeLimits
    from certhub.hub.api.inbound_routes import InboundHub
    from certhub.hub.api.report_bound import KeyTurns, SharedTurns
    from certhub.hub.comparison.jobs import ComparisonJobs
    from certhub.hub.compliance.watch import ComplianceWatch
    from certhub.hub.core.leader import Leadership
    from certhub.hub.core.settings import Settings
    from certhub.hub.delivery.backpressure import LoadShedder
    from certhub.hub.delivery.notify import NoticeSender, OutboxDelivery
    from certhub.hub.delivery.service import DeliveryService
    from certhub.hub.departments.registry import CertificationPull, Departments
    from certhub.hub.enrolment import EnrolmentOffice, FailureLimiter
    from certhub.hub.evidence import EvidenceVault
    from certhub.hub.evidence.pg_store import DatabaseEvidenceVault
    from certhub.hub.ingress.pipeline import IngressPipeline
    from certhub.hub.procedure.context import ProcedureContext
    from certhub.hub.rules.compliance import ReportingUnit
    from certhub.hub.runtime.health import Readiness
    from certhub.hub.runtime.trust_state import TrustState
    from certhub.hub.service_points.exports import GeoJsonExports
    from certhub.hub.store import LedgerStore
    from certhub.hub.store.postgres.shared import SharedIdentity
    from certhub.hub.store.service_points import ServicePointRegistry
    from certhub.monitoring.metrics import HubMetrics
    from certhub.security import HubSigningKeys, Reader, SignatureHelper, TrustedKey

# The runtime: settings, metrics, readiness, the HTTP edge.
SETTINGS: web.AppKey[Settings] = web.AppKey("settings")
METRICS: web.AppKey[HubMetrics] = web.AppKey("metrics")
READINESS: web.AppKey[Readiness] = web.AppKey("readiness")
EDGE: web.AppKey[EdgeLimits] = web.AppKey("edge")
LOAD: web.AppKey[LoadShedder] = web.AppKey("load")
CURSORS: web.AppKey[CursorCodec] = web.AppKey("cursors")

# Keys and signatures.
TRUST: web.AppKey[TrustState] = web.AppKey("trust")
KEYRING: web.AppKey[HubSigningKeys] = web.AppKey("keyring")
# What every process of a PostgreSQL deployment shares (None on the embedded ledger).
SHARED: web.AppKey[SharedIdentity | None] = web.AppKey("shared")
LEADERSHIP: web.AppKey[Leadership] = web.AppKey("leadership")
SIGNATURES: web.AppKey[SignatureHelper | None] = web.AppKey("signatures")
# Coordinators' enrolment: codes with the trust store (files, or PostgreSQL), the bound on guessing.
ENROLMENT: web.AppKey[EnrolmentOffice] = web.AppKey("enrolment")
ENROLMENT_LIMITER: web.AppKey[FailureLimiter] = web.AppKey("enrolment_limiter")

# The ledger, ingress and the procedure.
STORE: web.AppKey[LedgerStore] = web.AppKey("store")
SERVICE_POINTS: web.AppKey[ServicePointRegistry] = web.AppKey("service_points")  # the e-map
SERVICE_POINT_EXPORTS: web.AppKey[GeoJsonExports] = web.AppKey("service_point_exports")
PIPELINE: web.AppKey[IngressPipeline] = web.AppKey("pipeline")
REPORT_TURNS: web.AppKey[KeyTurns] = web.AppKey("report_turns")  # one report a key at a time
UPLOAD_TURNS: web.AppKey[KeyTurns] = web.AppKey("upload_turns")  # a coordinator's, one at a time
SHARED_TURNS: web.AppKey[SharedTurns] = web.AppKey("shared_turns")  # the same, in every process
EVIDENCE: web.AppKey[EvidenceVault | DatabaseEvidenceVault] = web.AppKey("evidence")
PROCEDURE: web.AppKey[ProcedureContext] = web.AppKey("procedure")
REPORTING_UNITS: web.AppKey[tuple[ReportingUnit, ...]] = web.AppKey("reporting_units")
COMPLIANCE_WATCH: web.AppKey[ComplianceWatch] = web.AppKey("compliance_watch")
KPI_METRICS: web.AppKey[KpiPublisher] = web.AppKey("kpi_metrics")  # the KPI gauges

# Departments, inbound adapters and delivery.
DEPARTMENTS: web.AppKey[Departments] = web.AppKey("departments")
CERTIFICATION_PULL: web.AppKey[CertificationPull] = web.AppKey("certification_pull")
INBOUND: web.AppKey[InboundHub] = web.AppKey("inbound")
NOTICE_SENDER: web.AppKey[NoticeSender] = web.AppKey("notice_sender")
OUTBOX_DELIVERY: web.AppKey[OutboxDelivery] = web.AppKey("outbox_delivery")
DELIVERY: web.AppKey[DeliveryService] = web.AppKey("delivery")
COMPARISON_JOBS: web.AppKey[ComparisonJobs] = web.AppKey("comparison_jobs")  # runs by city

# Per request: who read personal data (set by hub.api.auth, logged by hub.api.access_log).
READER: web.RequestKey[Reader] = web.RequestKey("reader")
# Per request: the trusted key whose valid token was refused (revoked, beyond its area or scope).
REFUSED_READER: web.RequestKey[TrustedKey] = web.RequestKey("refused_reader")
