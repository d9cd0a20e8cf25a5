"""The live trust stores: loaded at start-up, reloaded when their files change.

``certhub trust add|revoke`` edits a JWK Set file; a running hub picks the
change up within ``trust_reload_seconds`` without a restart. That holds for
the hub's own trust store and for every key file an inbound adapter verifies
a department's signatures with (a city platform's or a bank's keys): the
adapters hand their :class:`~certhub.security.trust.TrustStoreFile` to
:meth:`TrustState.watch_file`, and one watcher reloads them all the same way.
A file that fails to load is refused and the previous, valid store stays in
force.

With PostgreSQL as the ledger the hub's own trust store is the deployment's
(:class:`~certhub.hub.store.postgres.trust.DatabaseTrustStore`): every
process polls its version each ``trust_reload_seconds`` and reloads it when
another process or the CLI changed it. The machine's trust store file is
still read: at start and whenever it changes, its new keys and revocations
are folded into the database (:func:`~certhub.hub.store.postgres.trust.merged`),
and until that is done they count here at once (a key an inbound adapter
just wrote to the file signs its first message in the same second).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Protocol, runtime_checkable

from certhub.hub.core.periodic import every
from certhub.hub.store.base import StoreUnavailable
from certhub.hub.store.postgres.trust import DatabaseTrustStore, merged
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
    """Current verifiers from the trust store (file or deployment's) and adapters' key files."""

    def __init__(
        self,
        path: Path,
        *,
        clock_skew: timedelta,
        token_max_lifetime: timedelta,
        metrics: HubMetrics,
        database: DatabaseTrustStore | None = None,
    ) -> None:
        self._file = TrustStoreFile(path)
        self._database = database
        self._database_store: TrustStore | None = None  # None: not loaded (or no database)
        self._database_version = -1
        self._file_to_adopt = database is not None
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
        self._install(self._effective())

    async def load_database(self) -> None:
        """Fold the file into the deployment's trust store and load that (PostgreSQL only).

        Raises:
            StoreUnavailable: the database cannot be read or written.
            TrustStoreError: a row of the database is not a valid entry.
        """
        if self._database is not None:
            await self.refresh_database()

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
            self._file_to_adopt = self._database is not None
            self._install(self._effective())
            changed = True
        for name, file in self._others.items():
            changed = self._reload(f"{name} keys", file) or changed
        return changed

    async def refresh(self) -> bool:
        """Reload the changed files and, on PostgreSQL, the deployment's store if it changed."""
        changed = await asyncio.to_thread(self.reload_if_changed)
        if self._database is not None:
            changed = await self.refresh_database() or changed
        return changed

    async def refresh_database(self) -> bool:
        """Adopt a changed file, then reload the deployment's store if its version moved.

        Raises:
            StoreUnavailable: the database cannot be read or written (the
                previous store stays in force).
        """
        database = self._database
        if database is None:
            return False
        if self._file_to_adopt:
            added = await database.adopt(self._file.store)
            self._file_to_adopt = False
            if added:
                log.info("trust store file %s: %d keys folded into the database", self._file.path,
                         added)  # fmt: skip
        if await database.version() == self._database_version:
            return False
        try:
            version, store = await database.load()
        except TrustStoreError as exc:
            self._metrics.trust_store_reloads.labels(outcome="error").inc()
            log.error("the deployment's trust store reload refused, keeping the previous: %s", exc)
            return False
        self._database_version, self._database_store = version, store
        self._install(self._effective())
        self._metrics.trust_store_reloads.labels(outcome="ok").inc()
        log.info("the deployment's trust store reloaded: %d keys (version %d)", len(store), version)
        return True

    async def watch(self, interval: float) -> None:
        """Poll the files (and the deployment's store) for changes until cancelled."""
        await every(
            interval, self.refresh, what="trust store watch", expected=(StoreUnavailable,),
            wait_first=True,
        )  # fmt: skip

    def _effective(self) -> TrustStore:
        """The file's store; on PostgreSQL the deployment's, with what the file adds to it."""
        if self._database_store is None:
            return self._file.store
        return merged(self._database_store, self._file.store)

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
