"""certhub's metric names, all in one place, on an injected registry.

Every process builds one :class:`HubMetrics` at start-up around its own
``CollectorRegistry`` (tests get a fresh one each). Label values are of bounded
cardinality: message types, outcomes, reasons, routes, city codes, configured
sender and adapter names — never an ID number, a name or a message id.

Some metrics are defined before the code that feeds them exists (outbox,
delivery, dead letters, compliance, verification tasks), so dashboards and
alert rules can rely on one set of names from the start.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from prometheus_client import (
    CollectorRegistry,
    Info,
    PlatformCollector,
    ProcessCollector,
)
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector
from pydantic import BaseModel

from certhub.monitoring.children import Children
from certhub.monitoring.families import Families
from certhub.monitoring.kpi_metrics import KpiCollector
from certhub.monitoring.labels import certification_labels, report_labels
from certhub.monitoring.logging import flood_guards

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
UNVERIFIED = "unverified"
"""Sender/type label of a message refused before its signature was trusted."""

VALIDATION_REASONS = frozenset({"invalid-utf8", "invalid-json", "schema-violation"})
EDGE_REASONS = ("connection_cap", "pending_bodies", "body_timeout")
"""The caps and timeouts of the HTTP edge (``certhub_http_edge_refusals_total{reason}``)."""
REPLAY_REASON = "replay"


class SuppressedLogsCollector(Collector):
    """``certhub_log_records_suppressed_total``: log records the flood guard held back."""

    def collect(self) -> Iterator[Metric]:
        """Sum the process's flood guards by level at scrape time."""
        family = CounterMetricFamily(
            "certhub_log_records_suppressed",
            "Warnings and errors not written because the same kind repeated too often.",
            labels=["level"],
        )
        totals: dict[str, int] = {}
        for guard in flood_guards():
            for level, count in guard.suppressed.items():
                totals[level] = totals.get(level, 0) + count
        for level, count in sorted(totals.items()):
            family.add_metric([level], count)
        yield family


def register_process_collectors(registry: CollectorRegistry) -> None:
    """``process_*`` (CPU, memory, open files, start time) and ``python_info`` on ``registry``.

    A hub process's own registry is not prometheus_client's default one, which
    would have them; without these, a leak or a restart loop is invisible.
    """
    for collector in (ProcessCollector, PlatformCollector):
        try:
            collector(registry=registry)
        except ValueError:  # a registry shared by two apps of one process has them already
            continue


class HubMetrics:
    """The hub's metrics: ingress, ledger, pull, HTTP, outbox, delivery and domain counts."""

    def __init__(
        self, registry: CollectorRegistry, *, version: str = "0", commit: str = ""
    ) -> None:
        self.registry = registry
        on = self._families = Families(registry)
        self.build_info = Info(
            "certhub_build", "Version and commit of the running certhub.", registry=registry
        )
        self.build_info.info({"version": version, "commit": commit or "unknown"})
        self._define_ingress(on)
        self._define_edge(on)
        self._define_ledger(on)
        self._define_egress(on)
        self._define_domain(on)
        self.trust_store_keys = on.gauge(
            "certhub_trust_store_keys",
            "Keys currently loaded in the trust store.",
        )
        self.trust_store_reloads = on.counter(
            "certhub_trust_store_reloads_total",
            "Trust store reloads from file, by outcome.",
            ["outcome"],
        )
        self.kpis = KpiCollector()  # fed by the hub's KPI refresh (hub/accountability)
        registry.register(self.kpis)
        # Hot-path children, looked up once per label combination.
        self._received = Children(self.messages_received)
        self._http = Children(self.http_request_duration)
        self._reports = Children(self.reports)
        self._zero_reports = Children(self.zero_reports)
        self._certifications = Children(self.certifications)

    def _define_ingress(self, on: Families) -> None:
        self.messages_received = on.counter(
            "certhub_messages_received_total",
            "Signed messages received at ingress, by schema type, sender and outcome "
            "(accepted, duplicate, rejected).",
            ["type", "sender", "outcome"],
        )
        self.ingress_rejections = on.counter(
            "certhub_ingress_rejections_total",
            "Messages refused at ingress, by problem type.",
            ["reason"],
        )
        self.signature_failures = on.counter(
            "certhub_signature_failures_total",
            "Messages refused by signature, key or sender checks, by problem type.",
            ["reason"],
        )
        self.validation_failures = on.counter(
            "certhub_validation_failures_total",
            "Signed messages whose payload failed UTF-8, JSON or schema validation, by reason.",
            ["reason"],
        )
        self.replay_rejections = on.counter(
            "certhub_replay_rejections_total",
            "Messages refused because the sender reused a message id for other bytes.",
        )
        self.evidence_refusals = on.counter(
            "certhub_evidence_refused_total",
            "Evidence uploads refused (nothing stored), by problem type: content checks "
            "(not decodable, trailing data, too many pixels, active content …) and limits.",
            ["reason"],
        )
        self.enrolments = on.counter(
            "certhub_enrolments_total",
            "Coordinators' enrolment by outcome: code_issued, enrolled, code_invalid (a wrong, "
            "used or expired code), key_invalid, rate_limited, revoked.",
            ["outcome"],
        )
        self.http_request_duration = on.histogram(
            "certhub_http_request_duration_seconds",
            "HTTP request duration by route template, method and status class.",
            ["route", "method", "status"],
            buckets=LATENCY_BUCKETS,
        )

    def _define_edge(self, on: Families) -> None:
        self.edge_refusals = on.counter(
            "certhub_http_edge_refusals_total",
            "Connections and requests refused or cut at the HTTP edge, by the cap or timeout "
            "that bit (connection_cap, pending_bodies, body_timeout).",
            ["reason"],
        )
        self.client_disconnects = on.counter(
            "certhub_http_client_disconnects_total",
            "Requests whose client went away before the answer (not server errors).",
        )
        on.registry.register(SuppressedLogsCollector())

    def _define_ledger(self, on: Families) -> None:
        self.ledger_write_duration = on.histogram(
            "certhub_ledger_write_duration_seconds",
            "Time from queueing a ledger append to its durable commit.",
            buckets=LATENCY_BUCKETS,
        )
        self.ledger_batch_size = on.histogram(
            "certhub_ledger_batch_messages",
            "Messages committed per ledger transaction (group commit).",
            buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512),
        )
        self.records_pulled = on.counter(
            "certhub_records_pulled_total",
            "Ledger records handed out by the provincial pull, by record kind.",
            ["kind"],
        )

    def _define_egress(self, on: Families) -> None:
        self.outbox_backlog = on.gauge(
            "certhub_outbox_backlog_messages",
            "Outbox rows committed but not yet published to the broker.",
        )
        self.outbox_oldest_age = on.gauge(
            "certhub_outbox_oldest_age_seconds",
            "Age of the oldest unpublished outbox row; 0 when the outbox is empty.",
        )
        self.deliveries = on.counter(
            "certhub_deliveries_total",
            "Deliveries to departments by adapter and outcome (delivered, retried, dead_lettered).",
            ["adapter", "outcome"],
        )
        self.dlq_depth = on.gauge(
            "certhub_dlq_messages",
            "Messages waiting in the dead-letter queue for an operator.",
        )

    def _define_domain(self, on: Families) -> None:
        self.certifications = on.counter(
            "certhub_certifications_total",
            "Certification events newly recorded, by method, channel kind and outcome.",
            ["method", "channel", "outcome"],
        )
        self.reports = on.counter(
            "certhub_reports_total",
            "Eligibility reports newly recorded, by reason and prefecture-level city code.",
            ["reason", "city"],
        )
        self.zero_reports = on.counter(
            "certhub_zero_reports_total",
            "Monthly zero reports newly recorded, by prefecture-level city code.",
            ["city"],
        )
        self.report_missing_regions = on.gauge(
            "certhub_report_missing_regions",
            "Reporting units (counties or villages) of a city with neither a report nor a "
            "zero report for last month, which is due by the deadline day of this month.",
            ["city"],
        )
        self.report_deadline = on.gauge(
            "certhub_report_deadline_timestamp_seconds",
            "Unix time of the deadline for last month's reports and zero reports.",
        )
        self.verification_tasks = on.gauge(
            "certhub_verification_tasks",
            "Verification tasks (待核实) by status.",
            ["status"],
        )
        self.verification_tasks_overdue = on.gauge(
            "certhub_verification_tasks_overdue",
            "Verification tasks still open after their deadline, by kind.",
            ["kind"],
        )
        self.reports_under_review_overdue = on.gauge(
            "certhub_reports_under_review_overdue",
            "Reports of loss of eligibility still undecided after their deadline, by reason.",
            ["reason"],
        )

    def start_at_zero(self, signature_reasons: Iterable[str]) -> None:
        """Create the alerted refusal series at 0 before the first refusal.

        ``increase()`` cannot see a counter's first increment when the series is
        born at 1 (the first spike would not fire ``CerthubSignatureFailuresSpike``),
        and a panel of a series that does not exist yet shows "no data", not 0.
        ``signature_reasons`` are the security problem slugs the hub can refuse with.
        """
        for reason in signature_reasons:
            self.signature_failures.labels(reason=reason)
        for reason in VALIDATION_REASONS:
            self.validation_failures.labels(reason=reason)
        for reason in EDGE_REASONS:
            self.edge_refusals.labels(reason=reason)

    def count_rejection(self, reason: str, *, security: bool) -> None:
        """Count a refused message under every metric its problem type belongs to."""
        self.ingress_rejections.labels(reason=reason).inc()
        self._received(UNVERIFIED, UNVERIFIED, "rejected").inc()
        if security:
            self.signature_failures.labels(reason=reason).inc()
        elif reason in VALIDATION_REASONS:
            self.validation_failures.labels(reason=reason).inc()
        elif reason == REPLAY_REASON:
            self.replay_rejections.inc()

    def count_verified(
        self, message_type: str, sender: str, payload: bytes | BaseModel, *, created: bool
    ) -> None:
        """Count a verified message as accepted or duplicate; a new one by its domain labels too."""
        self._received(message_type, sender, "accepted" if created else "duplicate").inc()
        if created:
            self.count_recorded(message_type, payload)

    def watch_signature_helper(self, is_up: Callable[[], bool]) -> None:
        """Report whether the signature helper is serving or not yet needed (read at each
        scrape): 0 only while its work falls back to the event loop after it ended.

        Only a hub that runs a helper has this gauge, so turning the helper off
        does not look like an outage.
        """
        self._families.gauge(
            "certhub_signature_helper_up",
            "0 while signatures are checked on the event loop because the helper process"
            " ended (1 while it serves, or before it is needed).",
        ).set_function(lambda: float(is_up()))

    def watch_ledger_wal(self, size: Callable[[], int], limit: int) -> None:
        """Report the SQLite ledger's write-ahead log size (read at each scrape) and its bound.

        Only a hub on the embedded ledger has these gauges.
        """
        self._families.gauge(
            "certhub_ledger_wal_bytes",
            "Size of the SQLite ledger's write-ahead log file.",
        ).set_function(lambda: float(size()))
        self._families.gauge(
            "certhub_ledger_wal_limit_bytes",
            "The bound the writer keeps the write-ahead log near (CERTHUB_SQLITE_WAL_MAX_BYTES).",
        ).set(limit)

    def observe_http(self, route: str, method: str, status_class: str, seconds: float) -> None:
        """Observe one HTTP request's duration under its route template and status class."""
        self._http(route, method, status_class).observe(seconds)

    def count_recorded(self, message_type: str, payload: bytes | BaseModel) -> None:
        """Count a newly recorded message by its domain labels (reason/city, method/channel)."""
        if message_type == "eligibility_report/v1":
            self._reports(*report_labels(payload)).inc()
        elif message_type == "zero_report/v1":
            self._zero_reports(report_labels(payload)[1]).inc()
        elif message_type == "certification_event/v1":
            self._certifications(*certification_labels(payload)).inc()
