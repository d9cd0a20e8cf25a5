"""Metrics computed at scrape time from the hub's current state.

A collector reads a snapshot through a callable the hub passes in, so this
package needs no knowledge of the trust store's classes and a value is never
stale between reloads.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)

KeyValidity = tuple[str, datetime | None]
"""A trusted key as ``(sender id, not_after)``; ``None`` means it never expires."""


class KeyExpiryCollector(Collector):
    """``certhub_trust_key_not_after_timestamp_seconds{sender}``: when a sender's keys run out.

    Per sender the latest ``not_after`` of its usable keys counts (a rotated-in
    key keeps the sender working). Senders with a key that never expires are
    left out, so an alert on "expires within N days" never fires for them.
    Sender ids are a configured, bounded set.
    """

    NAME = "certhub_trust_key_not_after_timestamp_seconds"

    def __init__(self, keys: Callable[[], Iterable[KeyValidity]]) -> None:
        self._keys = keys

    def describe(self) -> Iterable[Metric]:
        """Declare the metric without reading state (registration happens before start-up)."""
        return [GaugeMetricFamily(self.NAME, self._help(), labels=["sender"])]

    def collect(self) -> Iterator[Metric]:
        """One sample per sender whose every usable key has an expiry."""
        family = GaugeMetricFamily(self.NAME, self._help(), labels=["sender"])
        try:
            latest = latest_expiry(self._keys())
        except Exception:  # a scrape must never fail because the hub is starting or stopping
            log.warning("trust key expiry not available for this scrape", exc_info=True)
            latest = {}
        for sender, not_after in sorted(latest.items()):
            family.add_metric([sender], not_after.timestamp())
        yield family

    @staticmethod
    def _help() -> str:
        return "Unix time when the last usable trust-store key of a sender expires."


def latest_expiry(keys: Iterable[KeyValidity]) -> dict[str, datetime]:
    """Latest ``not_after`` per sender; senders with a never-expiring key are dropped."""
    forever: set[str] = set()
    latest: dict[str, datetime] = {}
    for sender, not_after in keys:
        if not_after is None:
            forever.add(sender)
        elif sender not in latest or not_after > latest[sender]:
            latest[sender] = not_after
    return {sender: when for sender, when in latest.items() if sender not in forever}
