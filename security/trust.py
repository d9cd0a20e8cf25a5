"""The trust store: which public keys belong to which sender, and what each may do.

On disk it is a JWK Set whose keys carry an extension member::

    {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "...", "kid": "...",
               "certhub": {"sender": "yunfu-platform",
                           "may_send": ["eligibility_report/v1"],
                           "may_read": false, "role": null,
                           "not_after": "2026-01-01T00:00:00Z", "revoked": false,
                           "area": "445302",
                           "revoked_at": "2026-03-02T08:00:00Z"}}]}

``sender`` and ``may_send`` are required; the other members default to
``false``/``null``. ``area`` (a region code, :mod:`certhub.security.scopes`)
confines what the key may read; absent, it reads the whole province, and it
is only written when set, so older hubs keep reading stores without scoped
keys. ``revoked_at`` is when the key was revoked (a reviewer weighing a lost
phone's earlier reports reads it); written only for a revoked key, and absent
for a key revoked before it was kept. Unknown members in ``certhub`` are
refused so a typo can't silently change permissions. A store object is
immutable; changes return a new one.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from certhub.schemas.clock import require_aware, rfc3339

from ._encoding import json_dumps_pretty, read_json_file
from ._files import replace_atomic
from ._identifiers import require_sender_id
from .errors import InvalidKeyError, TrustStoreError
from .keys import VerifyingKey
from .scopes import AreaScope, parse_area

__all__ = ["TrustStore", "TrustStoreFile", "TrustedKey"]

_EXTENSION = "certhub"
_PERMISSION_MEMBERS = frozenset(
    {"sender", "may_send", "may_read", "role", "not_after", "revoked", "area", "revoked_at"}
)


@dataclass(frozen=True, slots=True)
class TrustedKey:
    """A sender's public key with what that sender is allowed to do."""

    key: VerifyingKey
    sender: str
    may_send: frozenset[str]
    may_read: bool = False
    role: str | None = None
    not_after: datetime | None = None
    revoked: bool = False
    area: AreaScope | None = None  # None: the whole province
    revoked_at: datetime | None = None  # when it was revoked, if known

    @property
    def kid(self) -> str:
        """Key id of the underlying key."""
        return self.key.kid

    def is_expired(self, now: datetime) -> bool:
        """Tell whether the key is past its ``not_after`` at ``now``."""
        return self.not_after is not None and now >= self.not_after

    def to_jwk(self) -> dict[str, Any]:
        """Export as a trust store JWK entry, ``certhub`` extension included."""
        permissions = {
            "sender": self.sender,
            "may_send": sorted(self.may_send),
            "may_read": self.may_read,
            "role": self.role,
            "not_after": None if self.not_after is None else rfc3339(self.not_after),
            "revoked": self.revoked,
            **({"area": self.area.code} if self.area is not None else {}),
            **({"revoked_at": rfc3339(self.revoked_at)} if self.revoked_at is not None else {}),
        }
        return {**self.key.to_jwk(), _EXTENSION: permissions}


def _optional(ext: Mapping[str, Any], name: str, kind: type[bool] | type[str]) -> Any:
    """Read an optional member: bools default to False, strings to None (null allowed)."""
    default = False if kind is bool else None
    value = ext.get(name, default)
    if (value is None and default is None) or type(value) is kind:
        return value
    nullable = " or null" if default is None else ""
    raise ValueError(f"certhub.{name} must be {kind.__name__}{nullable}")


def _parse_time(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        return require_aware(datetime.fromisoformat(value), f"certhub.{name}")
    except ValueError as exc:
        raise ValueError(f"certhub.{name}: {exc}") from exc


def _entry_from_jwk(jwk: Mapping[str, Any]) -> TrustedKey:
    """Build a TrustedKey from one JWK Set member; raises ValueError/InvalidKeyError."""
    ext = jwk.get(_EXTENSION)
    if not isinstance(ext, Mapping):
        raise ValueError(f"missing {_EXTENSION!r} object")
    unknown = sorted(set(ext) - _PERMISSION_MEMBERS)
    if unknown:
        raise ValueError(f"unknown certhub member(s) {', '.join(unknown)}")
    may_send = ext.get("may_send")
    if not isinstance(may_send, list) or not all(isinstance(t, str) and t for t in may_send):
        raise ValueError("certhub.may_send must be a list of type strings")
    return TrustedKey(
        key=VerifyingKey.from_jwk(jwk),
        sender=require_sender_id(ext.get("sender")),
        may_send=frozenset(may_send),
        may_read=_optional(ext, "may_read", bool),
        role=_optional(ext, "role", str),
        not_after=_parse_time(_optional(ext, "not_after", str), "not_after"),
        revoked=_optional(ext, "revoked", bool),
        area=_parse_area(_optional(ext, "area", str)),
        revoked_at=_parse_time(_optional(ext, "revoked_at", str), "revoked_at"),
    )


def _parse_area(value: str | None) -> AreaScope | None:
    if value is None:
        return None
    try:
        return parse_area(value)
    except ValueError as exc:
        raise ValueError(f"certhub.area {value!r}: {exc}") from exc


class TrustStore:
    """Immutable mapping of ``kid`` to TrustedKey, loaded from and saved to a JWK Set."""

    __slots__ = ("_entries",)

    def __init__(self, entries: Collection[TrustedKey] = ()) -> None:
        by_kid: dict[str, TrustedKey] = {}
        for entry in entries:
            if entry.kid in by_kid:
                raise TrustStoreError(f"duplicate kid {entry.kid!r}")
            by_kid[entry.kid] = entry
        self._entries: Mapping[str, TrustedKey] = MappingProxyType(by_kid)

    @classmethod
    def empty(cls) -> TrustStore:
        """Return a store that trusts nobody."""
        return cls()

    @classmethod
    def load(cls, path: Path) -> TrustStore:
        """Load and validate every entry of a trust store file.

        Raises:
            TrustStoreError: unreadable file, invalid JSON (duplicate members
                included), or an invalid entry, named by index and kid.
        """
        document = read_json_file(path, f"trust store {path}", TrustStoreError)
        return cls.from_jwk_set(document, f"trust store {path}")

    @classmethod
    def from_jwk_set(cls, document: object, source: str) -> TrustStore:
        """Validate every entry of a trust store document (``{"keys": [...]}``) from ``source``.

        The one reader of the format, whether it came from a file or from the
        deployment database's rows (:meth:`TrustedKey.to_jwk` writes both).

        Raises:
            TrustStoreError: not an object with a ``keys`` list, or an invalid
                or duplicate entry, named by index and kid.
        """
        if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
            raise TrustStoreError(f"{source} must be an object with a 'keys' list")
        entries = []
        seen: set[str] = set()
        for index, jwk in enumerate(document["keys"]):
            kid = jwk.get("kid") if isinstance(jwk, dict) else None
            where = f"{source}, entry {index} (kid {kid!r})"
            if not isinstance(jwk, dict):
                raise TrustStoreError(f"{where}: must be a JSON object")
            try:
                entry = _entry_from_jwk(jwk)
            except (ValueError, InvalidKeyError) as exc:
                raise TrustStoreError(f"{where}: {exc}") from exc
            if entry.kid in seen:
                raise TrustStoreError(f"{where}: duplicate kid")
            seen.add(entry.kid)
            entries.append(entry)
        return cls(entries)

    def get(self, kid: str) -> TrustedKey | None:
        """Return the entry for ``kid``, or None if the key is not trusted."""
        return self._entries.get(kid)

    def add(
        self,
        jwk: Mapping[str, Any],
        *,
        sender: str,
        may_send: Collection[str],
        may_read: bool = False,
        role: str | None = None,
        not_after: datetime | None = None,
        move: bool = False,
        area: AreaScope | None = None,
    ) -> TrustStore:
        """Return a new store that also trusts ``jwk`` with the given permissions.

        Re-adding the same key under the same kid replaces its permissions (a
        revocation stays in force). Re-adding it for another sender is refused
        unless ``move`` is true: a key silently changing hands would let one
        party sign as another. ``area`` confines what the key may read
        (``None``: the whole province). The same kid for different key material, or the
        same key material under another kid, is refused.

        Raises:
            TrustStoreError: invalid JWK, sender id, types or ``not_after``, or a
                conflict as described above.
        """
        if isinstance(may_send, str) or not all(isinstance(t, str) and t for t in may_send):
            raise TrustStoreError("may_send must be a collection of type strings")
        try:
            key = VerifyingKey.from_jwk(jwk)
            entry = TrustedKey(
                key=key,
                sender=require_sender_id(sender),
                may_send=frozenset(may_send),
                may_read=bool(may_read),
                role=role,
                not_after=None if not_after is None else require_aware(not_after, "not_after"),
                area=area,
            )
        except (ValueError, InvalidKeyError) as exc:
            raise TrustStoreError(f"cannot add key: {exc}") from exc
        return self._with(entry, move=move)

    def _with(self, entry: TrustedKey, *, move: bool) -> TrustStore:
        existing = self._entries.get(entry.kid)
        if existing is not None and existing.key.thumbprint() != entry.key.thumbprint():
            raise TrustStoreError(f"kid {entry.kid!r} is already trusted for another key")
        if existing is not None and existing.sender != entry.sender and not move:
            raise TrustStoreError(
                f"key {entry.kid!r} is already trusted for sender {existing.sender!r};"
                f" moving it to {entry.sender!r} must be asked for (--move)"
            )
        for other in self._entries.values():
            if other.kid != entry.kid and other.key.thumbprint() == entry.key.thumbprint():
                raise TrustStoreError(f"this key is already trusted as kid {other.kid!r}")
        if existing is not None:
            entry = replace(entry, revoked=existing.revoked, revoked_at=existing.revoked_at)
        return TrustStore([*(e for e in self if e.kid != entry.kid), entry])

    def revoke(self, kid: str, *, at: datetime | None = None) -> TrustStore:
        """Return a new store in which ``kid`` is revoked, since ``at`` (now by default; a
        key revoked already keeps the time it was first revoked).

        Raises:
            TrustStoreError: ``kid`` is not in the store.
        """
        entry = self._entries.get(kid)
        if entry is None:
            raise TrustStoreError(f"kid {kid!r} is not in the trust store")
        when = entry.revoked_at if entry.revoked else require_aware(at or datetime.now(UTC), "at")
        revoked = replace(entry, revoked=True, revoked_at=when)
        return TrustStore([revoked if e.kid == kid else e for e in self])

    def save(self, path: Path) -> None:
        """Write the store to ``path`` atomically (temporary file + ``os.replace``).

        Raises:
            TrustStoreError: the file cannot be written; the old one is then intact.
        """
        document = {"keys": [entry.to_jwk() for entry in self]}
        data = json_dumps_pretty(document)
        try:
            replace_atomic(path, data, mode=0o644)
        except OSError as exc:
            raise TrustStoreError(f"cannot write trust store {path}: {exc.strerror}") from exc

    def to_public_jwks(self) -> dict[str, list[dict[str, str]]]:
        """Return a plain JWK Set of the keys that are not revoked (no ``certhub`` member)."""
        return {"keys": [entry.key.to_jwk() for entry in self if not entry.revoked]}

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[TrustedKey]:
        return iter(self._entries.values())

    def __repr__(self) -> str:
        return f"TrustStore({len(self)} keys)"


class TrustStoreFile:
    """A trust store file and the store last loaded from it: the one reload mechanism.

    Every inbound check the hub makes — its own trust store, a city platform's
    or a bank's keys — reads a file like this, and the hub's watcher calls
    :meth:`reload_if_changed` on each, so ``certhub trust add|revoke --store``
    takes effect on a running hub the same way for all of them. A file that
    fails to load is refused and the previous, valid store stays in force.
    """

    __slots__ = ("_stamp", "path", "store")

    def __init__(self, path: Path) -> None:
        self.path = path
        self.store = TrustStore.empty()
        self._stamp: tuple[int, int] | None = None

    @classmethod
    def open(cls, path: Path, *, missing_ok: bool = False) -> TrustStoreFile:
        """Load ``path`` now.

        Raises:
            TrustStoreError: the file is invalid, or missing and not ``missing_ok``.
        """
        file = cls(path)
        stamp = file._file_stamp()
        if stamp is None and not missing_ok:
            raise TrustStoreError(f"no trust store at {path}")
        file.store = TrustStore.load(path) if stamp is not None else TrustStore.empty()
        file._stamp = stamp
        return file

    def reload_if_changed(self) -> bool:
        """Reload when the file's size or mtime changed; True when a new store is in force.

        Raises:
            TrustStoreError: the changed file is invalid; the previous store
                stays, and the same broken file is not retried.
        """
        stamp = self._file_stamp()
        if stamp == self._stamp:
            return False
        self._stamp = stamp
        self.store = TrustStore.load(self.path) if stamp is not None else TrustStore.empty()
        return True

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            info = self.path.stat()
        except FileNotFoundError:
            return None
        return (info.st_mtime_ns, info.st_size)
