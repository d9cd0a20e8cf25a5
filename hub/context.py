"""Typed application keys: the resources a running hub wires at start-up."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from hub.ingress import IngressPipeline
    from hub.settings import Settings
    from hub.store import LedgerStore
    from hub.trust_state import TrustState
    from monitoring.metrics import HubMetrics
    from security import HubKeyring

SETTINGS = web.AppKey["Settings"]("settings")
METRICS = web.AppKey["HubMetrics"]("metrics")
TRUST = web.AppKey["TrustState"]("trust")
KEYRING = web.AppKey["HubKeyring"]("keyring")
STORE = web.AppKey["LedgerStore"]("store")
PIPELINE = web.AppKey["IngressPipeline"]("pipeline")
