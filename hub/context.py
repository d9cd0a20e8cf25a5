"""Typed application keys: the resources a running hub wires at start-up."""

from __future__ import annotations

from aiohttp import web

from hub.evidence import EvidenceVault
from hub.ingress import IngressPipeline
from hub.notify import NoticeSender, OutboxDelivery
from hub.procedure.context import ProcedureContext
from hub.settings import Settings
from hub.store import LedgerStore
from hub.trust_state import TrustState
from hub.workflow.compliance import ReportingUnit
from monitoring.metrics import HubMetrics
from security import HubKeyring, SignatureHelper

SETTINGS = web.AppKey("settings", Settings)
METRICS = web.AppKey("metrics", HubMetrics)
TRUST = web.AppKey("trust", TrustState)
KEYRING = web.AppKey("keyring", HubKeyring)
STORE = web.AppKey("store", LedgerStore)
PIPELINE = web.AppKey("pipeline", IngressPipeline)
SIGNATURES: web.AppKey[SignatureHelper | None] = web.AppKey("signatures")
EVIDENCE = web.AppKey("evidence", EvidenceVault)
PROCEDURE = web.AppKey("procedure", ProcedureContext)
REPORTING_UNITS = web.AppKey("reporting_units", tuple[ReportingUnit, ...])
NOTICE_SENDER = web.AppKey("notice_sender", NoticeSender)
OUTBOX_DELIVERY = web.AppKey("outbox_delivery", OutboxDelivery)
