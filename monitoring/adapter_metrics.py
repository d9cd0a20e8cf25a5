"""Metrics of calls from certhub to departments, on an injected registry.

Labels are bounded: ``adapter`` and ``operation`` come from the adapters'
declared names, ``outcome`` from the closed set in :data:`OUTCOMES` — never an
ID number, phone number or message id.
"""

from __future__ import annotations

from typing import Final

from prometheus_client import CollectorRegistry, Counter

from certhub.monitoring.families import Families

__all__ = ["ADAPTER_LATENCY_BUCKETS", "CIRCUIT_STATES", "OUTCOMES", "AdapterMetrics"]

ADAPTER_LATENCY_BUCKETS: Final = (
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
)  # fmt: skip

OUTCOMES: Final = frozenset(
    {
        "ok",
        "unavailable",
        "timeout",
        "circuit_open",
        "bulkhead_full",
        "rejected",
        "invalid",
        "unsafe",
        "too_large",
        "signature",
        "transient",
        "permanent",
        "error",
    }
)
"""Every value the ``outcome`` label can take."""

CIRCUIT_STATES: Final = {"closed": 0, "half_open": 1, "open": 2}
"""Gauge value of each circuit-breaker state."""


class AdapterMetrics:
    """Department-call metrics: requests, durations, retries and circuit state."""

    def __init__(
        self, registry: CollectorRegistry, *, signature_failures: Counter | None = None
    ) -> None:
        """Define the metrics on ``registry``.

        ``signature_failures`` is the hub's ``certhub_signature_failures_total``: a
        department message an adapter refuses for its signature (bank terminals
        over AMQP) is counted there too, so one alert sees every channel.
        """
        self.registry = registry
        self._signature_failures = signature_failures
        on = Families(registry)
        self.requests = on.counter(
            "certhub_adapter_requests_total",
            "Calls to departments through an adapter, by adapter, operation and outcome.",
            ["adapter", "operation", "outcome"],
        )
        self.duration = on.histogram(
            "certhub_adapter_request_duration_seconds",
            "Duration of one adapter call, all attempts and backoffs included.",
            ["adapter", "operation"],
            buckets=ADAPTER_LATENCY_BUCKETS,
        )
        self.retries = on.counter(
            "certhub_adapter_retries_total",
            "Attempts made after the first one, by adapter and operation.",
            ["adapter", "operation"],
        )
        self.circuit_state = on.gauge(
            "certhub_adapter_circuit_state",
            "Circuit breaker state per adapter: 0 closed, 1 half-open, 2 open.",
            ["adapter"],
        )

    def count_signature_failure(self) -> None:
        """A department's message refused inside an adapter for its signature."""
        if self._signature_failures is not None:
            self._signature_failures.labels(reason="signature-invalid").inc()

    def set_circuit_state(self, adapter: str, state: str) -> None:
        """Record the breaker of ``adapter`` entering ``state`` (a key of CIRCUIT_STATES)."""
        self.circuit_state.labels(adapter).set(CIRCUIT_STATES[state])
