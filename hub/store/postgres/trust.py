"""The deployment's trust store in PostgreSQL: one set of senders' keys for every hub process.

A trust store file is per machine: a ``certhub trust add``, a revocation or
an enrolled phone's key written on one machine never reaches another. With
PostgreSQL as the ledger the keys live in ``trust_entries`` instead, one row
per key holding the very JWK Set member a file holds (written by
:meth:`~certhub.security.TrustedKey.to_jwk`, read by
:meth:`~certhub.security.TrustStore.from_jwk_set`), and every change is the
file store's own operation (:func:`~certhub.security.admin.with_added`,
:meth:`~certhub.security.TrustStore.revoke`, …) applied to the rows under one
advisory lock inside a transaction, so two changes at the same moment (two
phones enrolling through two processes) both stay, as the file's lock
guarantees on one machine. Each change raises the store's version
(``max(changed)``), which every process polls to reload.

Every row carries an HMAC of its kid and JWK under the deployment's trust
key (purpose :data:`TRUST_KEY` in ``deployment_keys``, sealed under the
deployment key). Only a holder of the deployment key — a hub process, the CLI
on a provisioned machine — writes a row that loads; a row slipped in with SQL
makes the whole store refuse to load (the previous one stays in force), so
database access alone never makes anyone a trusted sender.

A machine's trust store file is folded in (:func:`merged`): keys it holds
that the database lacks are added, and its revocations carried over; for a
key both know, the database's permissions stand. Both steps only ever add
trust the file already gave or take trust away, and repeating them changes
nothing, so the adoption on first start and on every later change of a file
is safe on any number of machines.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Final

import asyncpg

from certhub.hub.store.postgres.commit import pooled
from certhub.hub.store.postgres.keys import DeploymentKeyStore, NewKey
from certhub.hub.store.postgres.schema import Conn
from certhub.security import TrustedKey, TrustStore, TrustStoreError

__all__ = ["TRUST_KEY", "TRUST_LOCK", "DatabaseTrustStore", "merged"]

TRUST_LOCK: Final = 0x63657274_74727374  # "certtrst": one writer of trust_entries at a time
TRUST_KEY: Final = "trust-entries"
"""The purpose of the rows' HMAC key in ``deployment_keys``."""
_SOURCE: Final = "the deployment's trust store (trust_entries)"
_SELECT: Final = "SELECT kid, jwk, tag, changed FROM trust_entries ORDER BY kid"
_UPSERT: Final = (
    "INSERT INTO trust_entries (kid, sender, jwk, revoked, tag, changed, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (kid) DO UPDATE SET"
    " sender = excluded.sender, jwk = excluded.jwk, revoked = excluded.revoked,"
    " tag = excluded.tag, changed = excluded.changed, updated_at = excluded.updated_at"
)


def merged(database: TrustStore, folder: TrustStore) -> TrustStore:
    """``database`` with what a trust store file adds to it: its unknown keys, its revocations.

    A key the database holds keeps the database's permissions (a revocation
    in either wins); a file's key whose key material the database holds
    under another kid, or whose kid the database holds for other key
    material, is left out.
    """
    entries: dict[str, TrustedKey] = {entry.kid: entry for entry in database}
    thumbprints = {entry.key.thumbprint() for entry in database}
    for entry in folder:
        held = entries.get(entry.kid)
        same_key = held is not None and held.key.thumbprint() == entry.key.thumbprint()
        if held is not None:
            if same_key and entry.revoked and not held.revoked:
                entries[entry.kid] = replace(held, revoked=True, revoked_at=entry.revoked_at)
            continue
        if entry.key.thumbprint() not in thumbprints:
            entries[entry.kid] = entry
            thumbprints.add(entry.key.thumbprint())
    return TrustStore(list(entries.values()))


class DatabaseTrustStore:
    """Read and change ``trust_entries`` through a pool whose schema is migrated."""

    def __init__(self, pool: asyncpg.Pool, tag_key: bytes) -> None:
        """Use ``pool`` (e.g. the deployment key store's) and the rows' HMAC key."""
        self._pool = pool
        self._tag_key = tag_key

    @classmethod
    async def open(cls, keys: DeploymentKeyStore) -> DatabaseTrustStore:
        """The deployment's trust store, on the key store's connections; its HMAC key made once.

        Raises:
            DeploymentKeyError: the stored key does not open under this deployment key.
            StoreUnavailable: the database cannot be reached.
        """
        stored = await keys.ensure(TRUST_KEY, lambda: NewKey.random("trust-1"))
        return cls(keys.pool, stored[0].secret)

    @classmethod
    @contextlib.asynccontextmanager
    async def connected(cls, url: str, deployment_key: bytes) -> AsyncIterator[DatabaseTrustStore]:
        """The trust store of the database at ``url`` on connections of its own (the CLI's).

        The schema is brought up to date first, as every process does at start.

        Raises:
            DeploymentKeyError: the database's keys are sealed under another deployment key.
            StoreUnavailable: the database cannot be reached or migrated.
        """
        keys = await DeploymentKeyStore.open(url, deployment_key)
        try:
            yield await cls.open(keys)
        finally:
            await keys.aclose()

    async def version(self) -> int:
        """The store's version: raised by every change (0 while it is empty).

        Raises:
            StoreUnavailable: the database cannot be read.
        """
        async with pooled(self._pool, "read the trust store") as conn:
            value = await conn.fetchval("SELECT coalesce(max(changed), 0) FROM trust_entries")
        return int(value)

    async def load(self) -> tuple[int, TrustStore]:
        """The store and its version, read in one statement.

        Raises:
            StoreUnavailable: the database cannot be read.
            TrustStoreError: a row is not a valid trust store entry.
        """
        async with pooled(self._pool, "read the trust store") as conn:
            return await self._read(conn)

    async def read_in(self, conn: Conn) -> tuple[int, TrustStore]:
        """The store and its version as the caller's transaction on ``conn`` sees them."""
        return await self._read(conn)

    async def edit(self, change: Callable[[TrustStore], TrustStore]) -> TrustStore:
        """Apply ``change`` to the store as it is now, alone, and keep its result.

        Raises:
            StoreUnavailable: the database cannot be read or written.
            TrustStoreError: whatever ``change`` raises (nothing is written then).
        """
        async with self.transaction() as conn:
            return await self.edit_in(conn, change)

    async def edit_in(self, conn: Conn, change: Callable[[TrustStore], TrustStore]) -> TrustStore:
        """:meth:`edit` inside the caller's transaction on ``conn`` (committed with it)."""
        await conn.execute("SELECT pg_advisory_xact_lock($1)", TRUST_LOCK)
        version, before = await self._read(conn)
        after = change(before)
        now, rows = time.time(), []
        for entry in after:
            text = _jwk_text(entry)
            old = before.get(entry.kid)
            if old is None or _jwk_text(old) != text:
                tag = self._tag(entry.kid, text)
                rows.append((entry.kid, entry.sender, text, entry.revoked, tag, version + 1, now))
        if rows:
            await conn.executemany(_UPSERT, rows)
        return after

    async def adopt(self, folder: TrustStore) -> int:
        """Fold a trust store file into the database (:func:`merged`); how many rows changed."""
        changed = 0

        def fold(current: TrustStore) -> TrustStore:
            nonlocal changed
            result = merged(current, folder)
            changed = sum(
                1 for entry in result
                if (old := current.get(entry.kid)) is None or old.revoked != entry.revoked
            )  # fmt: skip
            return result

        await self.edit(fold)
        return changed

    async def _read(self, conn: Conn) -> tuple[int, TrustStore]:
        rows = await conn.fetch(_SELECT)
        forged = [
            row["kid"]
            for row in rows
            if not hmac.compare_digest(row["tag"], self._tag(row["kid"], row["jwk"]))
        ]
        if forged:
            raise TrustStoreError(
                f"{_SOURCE}: row(s) {', '.join(forged)} were not written with this deployment key;"
                " refused (remove them, then add the keys with certhub trust add)"
            )
        document = {"keys": [json.loads(row["jwk"]) for row in rows]}
        version = max((int(row["changed"]) for row in rows), default=0)
        return version, TrustStore.from_jwk_set(document, _SOURCE)

    def _tag(self, kid: str, jwk_text: str) -> str:
        message = kid.encode() + b"\0" + jwk_text.encode()
        return hmac.new(self._tag_key, message, hashlib.sha256).hexdigest()

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Conn]:
        """A connection in a transaction; database failures become :class:`StoreUnavailable`."""
        async with pooled(self._pool, "write the trust store", transaction=True) as conn:
            yield conn


def _jwk_text(entry: TrustedKey) -> str:
    return json.dumps(entry.to_jwk(), sort_keys=True, separators=(",", ":"))
