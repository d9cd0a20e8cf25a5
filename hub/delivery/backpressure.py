"""Back-pressure: refuse new work with 429 before the hub grows without bound.

:class:`OutboxMonitor` reads the outbox's counts periodically (one cheap
grouped query), feeds the outbox and dead-letter gauges, and remembers the
backlog; :class:`LoadShedder` answers ingress with ``overloaded`` (429,
``Retry-After``) while the undelivered backlog or the messages being
accepted right now pass their limits.

A message is admitted only once its body has been read: a client still
sending (or stalling) holds no in-flight slot, so anonymous slow uploads
cannot make valid pushes get 429. Slow bodies have their own cap and
deadline at the HTTP edge (``certhub.hub.api.edge``).
"""

from __future__ import annotations

import logging
import time

from certhub.hub.core.periodic import every
from certhub.hub.problems import Problem
from certhub.hub.store import LedgerStore, StoreError
from certhub.hub.store.outbox import OutboxStats
from certhub.monitoring.metrics import HubMetrics

log = logging.getLogger(__name__)


class OutboxMonitor:
    """The outbox's latest counts, refreshed every ``interval`` seconds."""

    def __init__(self, store: LedgerStore, metrics: HubMetrics, *, interval: float) -> None:
        """Read ``store`` and publish to ``metrics``."""
        self._store = store
        self._metrics = metrics
        self._interval = interval
        self.stats = OutboxStats()

    async def refresh(self) -> OutboxStats:
        """Read the counts now and update the gauges."""
        stats = await self._store.outbox_stats()
        self.stats = stats
        self._metrics.outbox_backlog.set(stats.backlog)
        oldest = stats.oldest_undelivered_at
        self._metrics.outbox_oldest_age.set(0 if oldest is None else max(0, time.time() - oldest))
        self._metrics.dlq_depth.set(stats.dead)
        return stats

    async def run(self) -> None:
        """Refresh until cancelled; a failed read keeps the last counts."""
        await every(self._interval, self.refresh, what="outbox counts", expected=(StoreError,))


class LoadShedder:
    """Admission control for ingress."""

    def __init__(self, monitor: OutboxMonitor, *, max_backlog: int, max_in_flight: int) -> None:
        """Refuse past ``max_backlog`` undelivered rows or ``max_in_flight`` messages."""
        self.monitor = monitor
        self._max_backlog = max_backlog
        self._max_in_flight = max_in_flight
        self.in_flight = 0

    def check(self) -> None:
        """Raise ``overloaded`` when a limit is passed."""
        if self.in_flight >= self._max_in_flight:
            raise _overloaded(f"{self.in_flight} messages are being accepted already", 1)
        backlog = self.monitor.stats.backlog
        if backlog >= self._max_backlog:
            raise _overloaded(f"{backlog} deliveries are waiting to be delivered", 5)

    def admit(self) -> LoadShedder:
        """``async with shedder.admit():`` check, then count the message as in flight until
        the block ends.

        The shedder is its own context manager: every push enters it, and a
        generator-based one cost about 1 µs more per message (an async generator
        and its wrapper each time).
        """
        return self

    async def __aenter__(self) -> None:
        """Refuse (``overloaded``) past a limit, else count one more message in flight."""
        self.check()
        self.in_flight += 1

    async def __aexit__(self, *_exc: object) -> None:
        """The message is no longer in flight (answered or refused)."""
        self.in_flight -= 1


def _overloaded(detail: str, retry_after: int) -> Problem:
    return Problem(
        "overloaded",
        f"the hub is overloaded ({detail}); retry after {retry_after} s",
        headers={"Retry-After": str(retry_after)},
    )
