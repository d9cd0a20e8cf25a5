"""What every process of a PostgreSQL deployment shares: the hub's identity and its secrets.

:class:`SharedIdentity` loads, from :class:`~certhub.hub.store.postgres.keys.DeploymentKeyStore`,
the keys a single process used to make in its data folder:

* ``hub-signing`` — receipts, audit checkpoints and the hub's own records
  (:class:`SharedHubKeyring`, published together in ``/.well-known/jwks.json``);
* ``cursor`` — the pull-cursor key (one, never rotated: cursors in clients' hands stay valid);
* ``evidence`` — the AES keys that seal evidence (:class:`SharedEvidenceKeys`);
* ``adapter:<name>`` — the signing key of each inbound adapter (the ministry pull,
  the comparison, the bank import, inbound platforms).

A data folder that already holds such keys (a deployment that shared one
folder, or a process that made its own before) gives them to the database on
first start, so every receipt signed before stays verifiable. Every process
re-reads the keys every :data:`REFRESH_SECONDS`; a rotation publishes the new
key at once and signs with it only after :data:`ROTATION_GRACE_SECONDS`, so by
then every process publishes it — and never sooner than :data:`PUBLISHED_SECONDS`
after it was stored, whatever the rotation asked (:func:`in_use`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from certhub.hub.store.postgres.keys import DeploymentKeyStore, NewKey, StoredKey, active_key
from certhub.hub.store.postgres.state import DeploymentState
from certhub.security import HubKeyring, KeyFileError, SigningKey, read_private_key

__all__ = [
    "CURSOR",
    "EVIDENCE",
    "HUB_SIGNING",
    "PUBLISHED_SECONDS",
    "REFRESH_SECONDS",
    "ROTATION_GRACE_SECONDS",
    "FolderKeys",
    "SharedEvidenceKeys",
    "SharedHubKeyring",
    "SharedIdentity",
    "adapter_purpose",
    "in_use",
]

HUB_SIGNING: Final = "hub-signing"
CURSOR: Final = "cursor"
EVIDENCE: Final = "evidence"
REFRESH_SECONDS: Final = 10.0
ROTATION_GRACE_SECONDS: Final = 3 * REFRESH_SECONDS
PUBLISHED_SECONDS: Final = 1.5 * REFRESH_SECONDS
"""A key stored this long ago is published by every process (each re-reads every
:data:`REFRESH_SECONDS`): only then may one sign or seal with it."""


def in_use(keys: Sequence[StoredKey], now: float) -> StoredKey | None:
    """The generation that signs (or seals) at ``now``: the newest active one stored at least
    :data:`PUBLISHED_SECONDS` ago, so that every process publishes (or opens) what it makes,
    whatever ``--activate-in`` said; else the oldest active one (a deployment's first key)."""
    published = [key for key in keys if key.created_at <= now - PUBLISHED_SECONDS]
    ready = [key for key in keys if key.active_from is not None and key.active_from <= now]
    return active_key(published, now) or min(ready, key=lambda key: key.generation, default=None)


def adapter_purpose(adapter: str) -> str:
    """The purpose under which an inbound adapter's signing key is stored."""
    return f"adapter:{adapter}"


class SharedHubKeyring:
    """The hub's signing keys of the deployment: the active one signs, all are published."""

    def __init__(self, keys: Sequence[StoredKey]) -> None:
        """From every generation of ``hub-signing`` (see :meth:`update`)."""
        self._signing: dict[str, SigningKey] = {}
        self.update(keys)

    def update(self, keys: Sequence[StoredKey], now: float | None = None) -> None:
        """Take the generations read now; the newest active one signs from here on."""
        current = in_use(keys, time.time() if now is None else now)
        if current is None:
            raise KeyFileError("the deployment has no active hub signing key")
        if current.kid not in self._signing:
            self._signing[current.kid] = current.signing_key()
        self._active = self._signing[current.kid]
        self._public = [key.public_jwk for key in keys if key.public_jwk is not None]

    @property
    def active(self) -> SigningKey:
        """The key that signs receipts, checkpoints and the hub's records now."""
        return self._active

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """Public JWK Set of every generation, active first (pending and retired ones too)."""
        others = [jwk for jwk in reversed(self._public) if jwk["kid"] != self._active.kid]
        return {"keys": [self._active.public_jwk(), *others]}


class SharedEvidenceKeys:
    """The evidence keys of the deployment: which seals new evidence, and all that open it."""

    def __init__(self, keys: Sequence[StoredKey]) -> None:
        """From every generation of ``evidence``."""
        self.update(keys)

    def update(self, keys: Sequence[StoredKey], now: float | None = None) -> None:
        """Take the generations read now."""
        current = in_use(keys, time.time() if now is None else now)
        if current is None:
            raise KeyFileError("the deployment has no active evidence key")
        self._active = current.kid
        self._keys = {key.kid: key.secret for key in keys if key.secret}

    @property
    def active_id(self) -> str:
        """Id of the key that seals new evidence."""
        return self._active

    def keys_by_id(self) -> dict[str, bytes]:
        """Every key that can open evidence, by id."""
        return dict(self._keys)


@dataclass(frozen=True)
class FolderKeys:
    """Keys a data (or secrets) folder holds from before, to give to the database once.

    Attributes:
        evidence: the folder's evidence keys, its active one last (the evidence
            package reads its own folder layout).
        new_evidence_kid: an id for a new evidence key, in the evidence package's form.
    """

    keys_dir: Path
    cursor_key: Path
    evidence: Callable[[], list[NewKey]]
    new_evidence_kid: Callable[[], str]

    def hub_signing(self) -> list[NewKey]:
        """The folder's hub keys, its active one last; only the active one with its private half."""
        if not any(self.keys_dir.glob("hub-signing-*.pem")):
            return []
        keyring = HubKeyring.load_or_create(self.keys_dir)  # loads: the folder has keys
        public = [jwk for jwk in keyring.jwks()["keys"] if jwk["kid"] != keyring.active.kid]
        return [*map(NewKey.verifying_only, public), NewKey.signing(keyring.active)]

    def cursor(self) -> list[NewKey]:
        """The folder's cursor key, if it has one."""
        if not self.cursor_key.is_file():
            return []
        return [NewKey("cursor-1", self.cursor_key.read_bytes())]

    def adapter(self, name: str) -> list[NewKey]:
        """The folder's signing key of inbound adapter ``name``, if it has one."""
        path = self.keys_dir / "adapters" / f"{name}.key.pem"
        return [NewKey.signing(read_private_key(path))] if path.is_file() else []


@dataclass(eq=False)  # a service: equal only to itself
class SharedIdentity:
    """The hub identity of a PostgreSQL deployment: the same in every process.

    Build it with :meth:`open`; ``folder`` holds the keys adopted on first use.
    """

    store: DeploymentKeyStore
    hub_keys: SharedHubKeyring
    cursor_key: bytes = field(repr=False)
    evidence_keys: SharedEvidenceKeys
    folder: FolderKeys
    state: DeploymentState = field(init=False)
    """The singletons' positions (pull cursors)."""
    _adapters: dict[str, SigningKey] = field(default_factory=dict, init=False, repr=False)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        """The deployment state lives in the key store's database."""
        self.state = DeploymentState(self.store.pool)

    @classmethod
    async def open(cls, store: DeploymentKeyStore, folder: FolderKeys) -> SharedIdentity:
        """Load the deployment's keys, creating or adopting them on the first start.

        Raises:
            DeploymentKeyError: the keys in the database are sealed under another deployment key.
            StoreUnavailable: the database cannot be read or written.
        """
        hub = await store.ensure(
            HUB_SIGNING, lambda: NewKey.signing(SigningKey.generate()),
            adopt=await asyncio.to_thread(folder.hub_signing),
        )  # fmt: skip
        cursor = await store.ensure(
            CURSOR, lambda: NewKey.random("cursor-1"), adopt=await asyncio.to_thread(folder.cursor)
        )
        evidence = await store.ensure(
            EVIDENCE, lambda: NewKey.random(folder.new_evidence_kid()),
            adopt=await asyncio.to_thread(folder.evidence),
        )  # fmt: skip
        return cls(store, SharedHubKeyring(hub), cursor[0].secret, SharedEvidenceKeys(evidence),
                   folder)  # fmt: skip

    async def refresh(self) -> None:
        """Re-read the signing and evidence keys (another process may have rotated them)."""
        self.hub_keys.update(await self.store.keys(HUB_SIGNING))
        self.evidence_keys.update(await self.store.keys(EVIDENCE))

    async def adapter_key(self, name: str) -> SigningKey:
        """Inbound adapter ``name``'s signing key, the same in every process."""
        async with self._lock:
            if name not in self._adapters:
                adopt = await asyncio.to_thread(self.folder.adapter, name)
                keys = await self.store.ensure(
                    adapter_purpose(name), lambda: NewKey.signing(SigningKey.generate()),
                    adopt=adopt,
                )  # fmt: skip
                current = active_key(keys, time.time())
                if current is None:  # only a rotation scheduled in the future: not ours to make
                    raise KeyFileError(f"inbound adapter {name!r} has no active signing key")
                self._adapters[name] = current.signing_key()
            return self._adapters[name]

    async def aclose(self) -> None:
        """Close the key store's connections."""
        await self.store.aclose()
