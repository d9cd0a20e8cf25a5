"""The deployment's keys in PostgreSQL, sealed under the deployment key, one row per generation.

Every process of a deployment reads the same rows, so every process signs
with the same hub key, publishes the same JWK Set and opens the same
evidence. The secret halves are sealed with AES-256-GCM under the
*deployment key*, 32 bytes provisioned to every process as the file
``SECRETS_DIR/deployment.key`` (or made in ``DATA_DIR/secrets/`` on first
start, for a deployment whose processes share that folder): a database dump
or a DBA alone holds no usable private key. The associated data binds each
seal to its purpose, key id and public half, so no row can be moved, renamed
or given another public key without failing to open.

Writers (first creation, adoption of a folder's keys, rotation) take one
advisory lock, so processes starting together agree on the first key.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import asyncpg
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from certhub.hub.store.base import StoreUnavailable
from certhub.hub.store.postgres import schema
from certhub.hub.store.postgres.commit import DATABASE_ERRORS, connect_pool, pooled
from certhub.security import SigningKey, load_or_create_secret

__all__ = [
    "DEPLOYMENT_KEY_BYTES",
    "DeploymentKeyError",
    "DeploymentKeyStore",
    "NewKey",
    "StoredKey",
    "active_key",
    "check_deployment_key",
    "deployment_key_path",
    "load_deployment_key",
]

DEPLOYMENT_KEY_BYTES: Final = 32
KEYS_LOCK: Final = 0x63657274_6B657973  # "certkeys": one writer of deployment_keys at a time
_NONCE_BYTES: Final = 12
_SEAL_CONTEXT: Final = b"certhub deployment key/v1"

_SELECT: Final = (
    "SELECT purpose, generation, kid, public_jwk, sealed, active_from, created_at"
    " FROM deployment_keys"
)
_INSERT: Final = (
    "INSERT INTO deployment_keys"
    " (purpose, generation, kid, public_jwk, sealed, created_at, active_from)"
    " VALUES ($1, (SELECT coalesce(max(generation), 0) + 1 FROM deployment_keys"
    " WHERE purpose = $1), $2, $3, $4, $5, $6) ON CONFLICT (purpose, kid) DO NOTHING"
)


class DeploymentKeyError(StoreUnavailable):
    """The deployment key is missing or unusable, or the keys in the database need another."""


def deployment_key_path(secrets_dir: Path | None, data_dir: Path) -> Path:
    """``SECRETS_DIR/deployment.key``, else ``DATA_DIR/secrets/deployment.key``."""
    return (secrets_dir or data_dir / "secrets") / "deployment.key"


def load_deployment_key(path: Path, *, create: bool = True) -> bytes:
    """The deployment key at ``path``; made (0600, whole or not at all) when missing and ``create``.

    Raises:
        DeploymentKeyError: missing (and not to be made), unreadable, too short,
            or readable by group or others.
    """
    if create and not path.exists():
        try:  # whole or not at all; a process starting at the same time uses the first made
            load_or_create_secret(path, DEPLOYMENT_KEY_BYTES)
        except (OSError, ValueError) as exc:
            raise DeploymentKeyError(f"cannot make deployment key {path}: {exc}") from exc
    try:
        key = path.read_bytes()
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise DeploymentKeyError(f"cannot read deployment key {path}: {exc.strerror}") from exc
    if len(key) < DEPLOYMENT_KEY_BYTES:
        raise DeploymentKeyError(
            f"deployment key {path} holds {len(key)} bytes; it needs {DEPLOYMENT_KEY_BYTES}"
        )
    if mode & 0o077:
        raise DeploymentKeyError(f"deployment key {path} is readable by group or others; chmod 600")
    return key[:DEPLOYMENT_KEY_BYTES]


@dataclass(frozen=True, slots=True)
class NewKey:
    """A key to store: its id, secret bytes and, for a signing key, its public JWK."""

    kid: str
    secret: bytes = field(repr=False)
    public_jwk: dict[str, str] | None = None

    @classmethod
    def signing(cls, key: SigningKey) -> NewKey:
        """A signing key (PKCS#8 PEM secret, public JWK)."""
        return cls(key.kid, key.to_pem(), key.public_jwk())

    @classmethod
    def verifying_only(cls, public_jwk: dict[str, str]) -> NewKey:
        """A public key kept only to verify what its (lost or foreign) private half signed."""
        return cls(public_jwk["kid"], b"", public_jwk)

    @classmethod
    def random(cls, kid: str, size: int = 32) -> NewKey:
        """A fresh symmetric key."""
        return cls(kid, secrets.token_bytes(size))


@dataclass(frozen=True, slots=True)
class StoredKey:
    """One generation of a purpose's key, opened.

    Attributes:
        active_from: when it starts to sign or seal (epoch seconds); ``None``:
            kept only to verify or open what it made before.
        created_at: when it was stored (epoch seconds).
    """

    purpose: str
    generation: int
    kid: str
    secret: bytes = field(repr=False)
    public_jwk: dict[str, str] | None
    active_from: float | None
    created_at: float = 0.0

    def signing_key(self) -> SigningKey:
        """The private signing key (only for a key stored with its secret half)."""
        return SigningKey.from_pem(self.secret, kid=self.kid)


def active_key(keys: Sequence[StoredKey], now: float) -> StoredKey | None:
    """The newest generation already active at ``now``, if any."""
    ready = [key for key in keys if key.active_from is not None and key.active_from <= now]
    return max(ready, key=lambda key: key.generation, default=None)


def _associated_data(purpose: str, kid: str, public_jwk: str | None) -> bytes:
    return b"\0".join((_SEAL_CONTEXT, purpose.encode(), kid.encode(), (public_jwk or "").encode()))


async def check_deployment_key(url: str, deployment_key: bytes | None) -> None:
    """Refuse ``deployment_key`` if the database holds keys it does not open (read-only check).

    ``None``: none is provisioned yet, which only a database without keys allows
    (the first process makes one; any other would open none of the keys).

    Raises:
        DeploymentKeyError: a stored key does not open under it, or there is none.
        StoreUnavailable: the database cannot be reached.
    """
    try:
        conn = await asyncpg.connect(url, timeout=10.0)
        try:
            row = None
            if await conn.fetchval("SELECT to_regclass('deployment_keys') IS NOT NULL"):
                row = await conn.fetchrow(_SELECT + " ORDER BY purpose, generation LIMIT 1")
        finally:
            await conn.close()
    except DATABASE_ERRORS as exc:
        raise StoreUnavailable(f"cannot reach the ledger database: {exc}") from exc
    if row is not None and deployment_key is None:
        raise DeploymentKeyError(
            "the database holds the deployment's keys:"
            " every process of a deployment needs the same SECRETS_DIR/deployment.key"
        )
    if row is not None and deployment_key is not None:
        DeploymentKeyStore._open_row(AESGCM(deployment_key), row)


class DeploymentKeyStore:
    """Read, create, adopt and rotate the deployment's keys in ``deployment_keys``."""

    def __init__(self, pool: asyncpg.Pool, deployment_key: bytes) -> None:
        """Use ``pool`` (schema already migrated) and the provisioned ``deployment_key``."""
        self._pool = pool
        self._aead = AESGCM(deployment_key)

    @classmethod
    async def open(cls, url: str, deployment_key: bytes) -> DeploymentKeyStore:
        """Connect to ``url`` and bring the schema up to date first (safe beside other processes).

        Raises:
            StoreUnavailable: the database cannot be reached or migrated.
        """
        pool = await connect_pool(url, 2, {})
        await schema.migrate_pool(pool)
        return cls(pool, deployment_key)

    @property
    def pool(self) -> asyncpg.Pool:
        """The store's connections (small; shared with the deployment's state)."""
        return self._pool

    async def aclose(self) -> None:
        """Close the connections."""
        await self._pool.close()

    async def keys(self, purpose: str) -> list[StoredKey]:
        """Every generation of ``purpose``, oldest first, opened.

        Raises:
            DeploymentKeyError: a row does not open under this deployment key.
        """
        sql = _SELECT + " WHERE purpose = $1 ORDER BY generation"
        return [self._open(row) for row in await self._fetch(sql, purpose)]

    async def keys_under(self, prefix: str) -> list[StoredKey]:
        """Every generation of every purpose starting with ``prefix`` (e.g. ``adapter:``)."""
        sql = _SELECT + " WHERE starts_with(purpose, $1) ORDER BY purpose, generation"
        return [self._open(row) for row in await self._fetch(sql, prefix)]

    async def ensure(
        self, purpose: str, make: Callable[[], NewKey], *, adopt: Sequence[NewKey] = ()
    ) -> list[StoredKey]:
        """Every generation of ``purpose``, creating or adopting the first ones if there are none.

        ``adopt`` are keys a data folder already holds (the last one its active
        key): with no key of ``purpose`` yet they become the deployment's, the
        last active; otherwise those not known yet are kept to verify or open
        what they made, never to make more. Only when there is nothing at all
        is ``make()`` stored, active at once.
        """
        async with self._locked() as conn:
            known = {row["kid"] for row in await conn.fetch(
                "SELECT kid FROM deployment_keys WHERE purpose = $1", purpose
            )}  # fmt: skip
            if not known:
                first = list(adopt) or [make()]
                for index, key in enumerate(first):
                    active = 0.0 if index == len(first) - 1 else None
                    await self._insert(conn, purpose, key, active)
            else:
                for key in adopt:
                    if key.kid not in known:  # a signing key that will never sign: public half only
                        public = key.public_jwk
                        kept = key if public is None else NewKey.verifying_only(public)
                        await self._insert(conn, purpose, kept, None)
        return await self.keys(purpose)

    async def add(self, purpose: str, key: NewKey, *, active_from: float) -> StoredKey:
        """Store a new generation of ``purpose`` (a rotation), active from ``active_from``."""
        async with self._locked() as conn:
            await self._insert(conn, purpose, key, active_from)
        return next(stored for stored in await self.keys(purpose) if stored.kid == key.kid)

    async def _insert(
        self, conn: schema.Conn, purpose: str, key: NewKey, active_from: float | None
    ) -> None:
        public = None if key.public_jwk is None else json.dumps(key.public_jwk, sort_keys=True)
        nonce = secrets.token_bytes(_NONCE_BYTES)
        sealed = nonce + self._aead.encrypt(
            nonce, key.secret, _associated_data(purpose, key.kid, public)
        )
        await conn.execute(_INSERT, purpose, key.kid, public, sealed, time.time(), active_from)

    def _open(self, row: asyncpg.Record) -> StoredKey:
        return self._open_row(self._aead, row)

    @staticmethod
    def _open_row(aead: AESGCM, row: asyncpg.Record) -> StoredKey:
        purpose, kid, public, sealed = row["purpose"], row["kid"], row["public_jwk"], row["sealed"]
        try:
            secret = aead.decrypt(
                sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], _associated_data(purpose, kid, public)
            )
        except InvalidTag:
            raise DeploymentKeyError(
                f"the deployment key does not open key {kid!r} ({purpose}) in the database:"
                " every process of a deployment needs the same SECRETS_DIR/deployment.key"
            ) from None
        jwk: dict[str, str] | None = None if public is None else json.loads(public)
        active = row["active_from"]
        return StoredKey(
            purpose, int(row["generation"]), kid, secret, jwk, None if active is None else active,
            float(row["created_at"]),
        )  # fmt: skip

    async def _fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        async with pooled(self._pool, "read the deployment's keys") as conn:
            return list(await conn.fetch(sql, *args))

    @contextlib.asynccontextmanager
    async def _locked(self) -> Any:
        async with pooled(self._pool, "write the deployment's keys", transaction=True) as conn:
            await conn.execute("SELECT pg_advisory_xact_lock($1)", KEYS_LOCK)
            yield conn
