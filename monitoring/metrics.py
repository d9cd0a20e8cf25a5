"""certhub's metric names, all in one place, on an injected registry.

Every process builds one :class:`HubMetrics` at start-up around its own
``CollectorRegistry`` (tests get a fresh one each). Label values are of bounded
cardinality: message types, outcomes, reasons, routes — never an ID number or
a message id.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class HubMetrics:
    """The hub's metrics: ingress, ledger, pull and HTTP."""

    def __init__(
        self, registry: CollectorRegistry, *, version: str = "0", commit: str = ""
    ) -> None:
        self.registry = registry
        self.build_info = Info(
            "certhub_build", "Version of the running certhub.", registry=registry
        )
        self.build_info.info({"version": version, "commit": commit or "unknown"})
        self.messages_received = Counter(
            "certhub_messages_received_total",
            "Signed messages received at ingress, by schema type and outcome.",
            ["type", "outcome"],
            registry=registry,
        )
        self.ingress_rejections = Counter(
            "certhub_ingress_rejections_total",
            "Messages refused at ingress, by problem type.",
            ["reason"],
            registry=registry,
        )
        self.http_request_duration = Histogram(
            "certhub_http_request_duration_seconds",
            "HTTP request duration by route template, method and status class.",
            ["route", "method", "status"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.ledger_write_duration = Histogram(
            "certhub_ledger_write_duration_seconds",
            "Time from queueing a ledger append to its durable commit.",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.ledger_batch_size = Histogram(
            "certhub_ledger_batch_messages",
            "Messages committed per ledger transaction (group commit).",
            buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512),
            registry=registry,
        )
        self.records_pulled = Counter(
            "certhub_records_pulled_total",
            "Ledger records handed out by the provincial pull, by record kind.",
            ["kind"],
            registry=registry,
        )
        self.trust_store_keys = Gauge(
            "certhub_trust_store_keys",
            "Keys currently loaded in the trust store.",
            registry=registry,
        )
        self.trust_store_reloads = Counter(
            "certhub_trust_store_reloads_total",
            "Trust store reloads from file, by outcome.",
            ["outcome"],
            registry=registry,
        )
