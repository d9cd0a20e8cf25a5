"""The live trust stores: loaded at start-up, reloaded when their files change.

``certhub trust add|revoke`` edits a JWK Set file; a running hub picks the
change up within ``trust_reload_seconds`` without a restart. That holds for
the hub's own trust store and for every key file an inbound adapter verifies
a department's signatures with (a city platform's or a bank's keys): the
adapters hand their :class:`~certhub.security.trust.TrustStoreFile` to
:meth:`TrustState.watch_file`, and one watcher reloads them all the same way.
A file that fails to load is refused and the previous, valid store stays in
force.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Protocol, runtime_checkable

from certhub.hub.core.periodic import every
from certhub.monitoring.metrics import HubMetrics
from certhub.security import MessageVerifier, ReadTokenVerifier, TrustStore, TrustStoreError
from certhub.security.trust import TrustStoreFile

log = logging.getLogger(__name__)


@runtime_checkable
class HoldsTrustFiles(Protocol):
    """An adapter that verifies a department's signatures with keys from trust store files."""

    def trust_files(self) -> Mapping[str, TrustStoreFile]:
        """The files, by a name for logs."""
        ...


class TrustState:
    """Current verifiers built from the trust store file, and the adapters' key files."""

    def __init__(
        self,
        path: Path,
        *,
        clock_skew: timedelta,
        token_max_lifetime: timedelta,
        metrics: HubMetrics,
    ) -> None:
        self._file = TrustStoreFile(path)
        self._clock_skew = clock_skew
        self._token_max_lifetime = token_max_lifetime
        self._metrics = metrics
        self._others: dict[str, TrustStoreFile] = {}
        self.store = TrustStore.empty()
        self.messages = MessageVerifier(self.store, clock_skew=clock_skew)
        self.tokens = ReadTokenVerifier(self.store, max_lifetime=token_max_lifetime)

    def load(self) -> None:
        """Load the file now (or an empty store if it does not exist yet)."""
        self._file = TrustStoreFile.open(self._file.path, missing_ok=True)
        self._install(self._file.store)

    def watch_file(self, name: str, file: TrustStoreFile) -> None:
        """Reload ``file`` (an adapter's key file, called ``name`` in logs) with the rest."""
        self._others[name] = file

    def watch_adapters(self, adapters: Iterable[object]) -> None:
        """Watch the key files of every adapter that has some."""
        for adapter in adapters:
            if isinstance(adapter, HoldsTrustFiles):
                for name, file in adapter.trust_files().items():
                    self.watch_file(name, file)

    def reload_if_changed(self) -> bool:
        """Reload every changed file; keep a file's old store on error. True if any changed."""
        changed = False
        if self._reload("trust store", self._file):
            self._install(self._file.store)
            changed = True
        for name, file in self._others.items():
            changed = self._reload(f"{name} keys", file) or changed
        return changed

    async def watch(self, interval: float) -> None:
        """Poll the files for changes until cancelled."""

        async def reload() -> None:
            await asyncio.to_thread(self.reload_if_changed)

        await every(interval, reload, what="trust store watch", wait_first=True)

    def _reload(self, what: str, file: TrustStoreFile) -> bool:
        try:
            changed = file.reload_if_changed()
        except TrustStoreError as exc:
            self._metrics.trust_store_reloads.labels(outcome="error").inc()
            log.error("%s reload refused, keeping the previous one: %s", what, exc)
            return False
        if changed:
            self._metrics.trust_store_reloads.labels(outcome="ok").inc()
            log.info("%s reloaded: %d keys", what, len(file.store))
        return changed

    def _install(self, store: TrustStore) -> None:
        self.store = store
        self.messages = MessageVerifier(store, clock_skew=self._clock_skew)
        self.tokens = ReadTokenVerifier(store, max_lifetime=self._token_max_lifetime)
        self._metrics.trust_store_keys.set(len(store))
