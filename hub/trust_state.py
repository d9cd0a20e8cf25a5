"""The live trust store: loaded at start-up, reloaded when its file changes.

``certhub trust add`` edits the JWK Set file; a running hub picks the change
up within ``trust_reload_seconds`` without a restart. A file that fails to
load is refused and the previous, valid store stays in force.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path

from monitoring.metrics import HubMetrics
from security import MessageVerifier, ReadTokenVerifier, TrustStore, TrustStoreError

log = logging.getLogger(__name__)


class TrustState:
    """Current verifiers built from the trust store file."""

    def __init__(
        self,
        path: Path,
        *,
        clock_skew: timedelta,
        token_max_lifetime: timedelta,
        metrics: HubMetrics,
    ) -> None:
        self._path = path
        self._clock_skew = clock_skew
        self._token_max_lifetime = token_max_lifetime
        self._metrics = metrics
        self._stamp: tuple[int, int] | None = None
        self.store = TrustStore.empty()
        self.messages = MessageVerifier(self.store, clock_skew=clock_skew)
        self.tokens = ReadTokenVerifier(self.store, max_lifetime=token_max_lifetime)

    def load(self) -> None:
        """Load the file now (or an empty store if it does not exist yet)."""
        stamp = self._file_stamp()
        store = TrustStore.load(self._path) if stamp is not None else TrustStore.empty()
        self._install(store, stamp)

    def reload_if_changed(self) -> bool:
        """Reload when the file's size or mtime changed; keep the old store on error."""
        stamp = self._file_stamp()
        if stamp == self._stamp:
            return False
        try:
            store = TrustStore.load(self._path) if stamp is not None else TrustStore.empty()
        except TrustStoreError as exc:
            self._metrics.trust_store_reloads.labels(outcome="error").inc()
            log.error("trust store reload refused, keeping the previous one: %s", exc)
            self._stamp = stamp  # do not retry the same broken file every tick
            return False
        self._install(store, stamp)
        self._metrics.trust_store_reloads.labels(outcome="ok").inc()
        log.info("trust store reloaded: %d keys", len(store))
        return True

    async def watch(self, interval: float) -> None:
        """Poll the file for changes until cancelled."""
        while True:
            await asyncio.sleep(interval)
            await asyncio.to_thread(self.reload_if_changed)

    def _install(self, store: TrustStore, stamp: tuple[int, int] | None) -> None:
        self.store = store
        self.messages = MessageVerifier(store, clock_skew=self._clock_skew)
        self.tokens = ReadTokenVerifier(store, max_lifetime=self._token_max_lifetime)
        self._stamp = stamp
        self._metrics.trust_store_keys.set(len(store))

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            info = self._path.stat()
        except FileNotFoundError:
            return None
        return (info.st_mtime_ns, info.st_size)
