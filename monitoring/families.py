"""Declaring metric families on an injected registry, so none lands on the global one.

prometheus_client puts a metric on its process-wide default registry when
``registry=`` is left out: such a metric would be shared between the tests'
fresh registries and missing from the hub's own. Every certhub metric is
declared through one :class:`Families`, which passes its registry each time;
what is left to say per metric is its name, help text and label names.
"""

from __future__ import annotations

from collections.abc import Sequence

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

__all__ = ["Families"]


class Families:
    """The counters, gauges and histograms of one process part, on its ``registry``."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def counter(self, name: str, documentation: str, labels: Sequence[str] = ()) -> Counter:
        """A counter (``name`` ends in ``_total``) with these label names."""
        return Counter(name, documentation, labels, registry=self.registry)

    def gauge(self, name: str, documentation: str, labels: Sequence[str] = ()) -> Gauge:
        """A gauge with these label names."""
        return Gauge(name, documentation, labels, registry=self.registry)

    def histogram(
        self,
        name: str,
        documentation: str,
        labels: Sequence[str] = (),
        *,
        buckets: Sequence[float],
    ) -> Histogram:
        """A histogram with these label names and bucket bounds (always explicit here)."""
        return Histogram(name, documentation, labels, buckets=buckets, registry=self.registry)
