"""Operations behind the ``certhub`` CLI: create a sender's key pair, trust or revoke a key.

Plain functions so the hub's argparse CLI stays a thin shell over them. Every
change of the trust store file is a read-modify-write under its lock
(:func:`~certhub.security.exclusive_lock`): the CLI and the running hub (which
binds enrolled phones' keys) may change it at the same time.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Required, TypedDict, Unpack

from certhub.schemas import Role

from ._encoding import json_dumps_pretty, read_json_file
from ._files import create_exclusive, exclusive_lock
from ._identifiers import require_sender_id
from .errors import InvalidKeyError, KeyFileError, TrustStoreError
from .keys import Algorithm, SigningKey, VerifyingKey, write_private_key
from .scopes import AreaScope
from .trust import TrustedKey, TrustStore

__all__ = [
    "KeyBinding", "KeyGrant", "create_sender_key", "read_key_to_trust", "trust_add", "trust_bind",
    "trust_revoke", "with_added", "with_bound",
]  # fmt: skip

_ROLES = tuple(role.value for role in Role)


def create_sender_key(sender: str, out_dir: Path, alg: Algorithm = "EdDSA") -> tuple[Path, Path]:
    """Generate a key pair for ``sender``: ``<sender>.key.pem`` (0600) and ``<sender>.jwk.json``.

    Returns:
        (private key path, public JWK path).

    Raises:
        ValueError: ``sender`` is not a valid sender id.
        KeyFileError: either file exists already or cannot be written.
    """
    require_sender_id(sender)
    key = SigningKey.generate(alg)
    key_path = out_dir / f"{sender}.key.pem"
    jwk_path = out_dir / f"{sender}.jwk.json"
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise KeyFileError(f"cannot create {out_dir}: {exc.strerror}") from exc
    if jwk_path.exists():
        raise KeyFileError(f"refusing to overwrite {jwk_path}")
    write_private_key(key, key_path)
    try:
        create_exclusive(jwk_path, json_dumps_pretty(key.public_jwk()), mode=0o644)
    except OSError as exc:
        key_path.unlink()  # no half-created pair: the private key is useless without its JWK
        raise KeyFileError(f"cannot write {jwk_path}: {exc.strerror}") from exc
    return key_path, jwk_path


class KeyGrant(TypedDict, total=False):
    """What :func:`trust_add` and :func:`with_added` give a key (see :meth:`TrustStore.add`).

    A key re-added for the same sender keeps its role, expiry and area unless new
    ones are given; giving it to another sender needs ``move``.
    """

    sender: Required[str]
    may_send: Required[Collection[str]]
    may_read: Required[bool]
    role: str | None
    not_after: datetime | None
    move: bool
    area: AreaScope | None


def trust_add(store_path: Path, public_jwk_path: Path, **grant: Unpack[KeyGrant]) -> TrustedKey:
    """Add (or update the permissions of) a public key in the trust store file.

    The store file (and its folder) is created if missing and rewritten
    atomically, after every check passed; the key gets ``grant``
    (:class:`KeyGrant`).

    Raises:
        ValueError: ``sender`` is not a valid sender id.
        KeyFileError: the JWK file cannot be read or is not JSON.
        TrustStoreError: the store or the JWK is invalid, ``role`` is not a
            :class:`~schemas.Role`, the key belongs to another sender and
            ``move`` is false, or the kid conflicts.
    """
    jwk = read_key_to_trust(public_jwk_path, sender=grant["sender"], role=grant.get("role"))
    kid = VerifyingKey.from_jwk(jwk).kid
    with _editing(store_path) as current:
        store = with_added(current, jwk, **grant)
        _save(store, store_path)
    return _entry(store, kid)


def read_key_to_trust(public_jwk_path: Path, *, sender: str, role: str | None) -> dict[str, Any]:
    """The public JWK file :func:`trust_add` reads, with the sender id and role checked first.

    Raises:
        ValueError: ``sender`` is not a valid sender id.
        KeyFileError: the JWK file cannot be read or is not a JSON object.
        TrustStoreError: ``role`` is not a :class:`~schemas.Role`, or the JWK is not a key.
    """
    require_sender_id(sender)
    if role is not None and role not in _ROLES:
        raise TrustStoreError(f"unknown role {role!r}; known: {', '.join(_ROLES)}")
    jwk = read_json_file(public_jwk_path, str(public_jwk_path), KeyFileError)
    if not isinstance(jwk, dict):
        raise KeyFileError(f"{public_jwk_path} must hold a JSON object")
    try:
        VerifyingKey.from_jwk(jwk)
    except InvalidKeyError as exc:
        raise TrustStoreError(f"cannot add key: {exc}") from exc
    return jwk


def with_added(
    current: TrustStore, jwk: Mapping[str, Any], **grant: Unpack[KeyGrant]
) -> TrustStore:
    """``current`` with ``jwk`` trusted as :func:`trust_add` does it, wherever the store is kept
    (the database store applies the same rule through this).

    Raises:
        TrustStoreError: as :meth:`TrustStore.add`.
    """
    try:
        kid = VerifyingKey.from_jwk(jwk).kid
    except InvalidKeyError as exc:
        raise TrustStoreError(f"cannot add key: {exc}") from exc
    existing = current.get(kid)
    if existing is not None and existing.sender == grant["sender"]:
        # a key re-added for its sender keeps what is not given anew
        if grant.get("role") is None:
            grant["role"] = existing.role
        if grant.get("not_after") is None:
            grant["not_after"] = existing.not_after
        if grant.get("area") is None:
            grant["area"] = existing.area
    return current.add(jwk, **grant)


class KeyBinding(TypedDict):
    """What :func:`trust_bind` and :func:`with_bound` give a new key: a fresh sender, what it
    may send, its role and area (it may also read, inside its area), and its expiry."""

    sender: str
    may_send: Collection[str]
    role: str
    area: AreaScope
    not_after: datetime | None


def trust_bind(
    store_path: Path, jwk: Mapping[str, Any], **binding: Unpack[KeyBinding]
) -> TrustedKey:
    """Trust a new key (an enrolled phone's), refusing a key or sender already in the store.

    Unlike :func:`trust_add`, nothing that is already trusted is ever changed:
    an enrolment binds a fresh key to a fresh sender, or nothing.

    Raises:
        TrustStoreError: the JWK is invalid, the key (by thumbprint) or the
            sender is already in the store, or the store cannot be written.
    """
    with _editing(store_path) as current:
        store = with_bound(current, jwk, **binding)
        _save(store, store_path)
    return _entry(store, VerifyingKey.from_jwk(jwk).kid)


def with_bound(
    current: TrustStore, jwk: Mapping[str, Any], **binding: Unpack[KeyBinding]
) -> TrustStore:
    """``current`` with a new key bound as :func:`trust_bind` does it, wherever the store is kept.

    Raises:
        TrustStoreError: the JWK is invalid, or the key or the sender is already in ``current``.
    """
    sender = binding["sender"]
    if any(entry.sender == sender for entry in current):
        raise TrustStoreError(f"sender {sender!r} already has a key")
    try:
        kid = VerifyingKey.from_jwk(jwk).kid
    except InvalidKeyError as exc:
        raise TrustStoreError(f"cannot add key: {exc}") from exc
    if current.get(kid) is not None:
        raise TrustStoreError(f"key {kid!r} is already trusted")
    return current.add(jwk, may_read=True, **binding)


def trust_revoke(store_path: Path, kid: str) -> TrustedKey:
    """Revoke ``kid`` in the trust store file, for good (re-adding it keeps it revoked).

    Raises:
        TrustStoreError: no store file, ``kid`` is not in it, or it cannot be written.
    """
    if not store_path.exists():
        raise TrustStoreError(f"no trust store at {store_path}")
    with _editing(store_path) as current:
        store = current.revoke(kid)
        _save(store, store_path)
    return _entry(store, kid)


@contextmanager
def _editing(store_path: Path) -> Iterator[TrustStore]:
    """The store as it is now, held under the file's lock until the block has saved it."""
    with ExitStack() as stack:
        try:
            store_path.parent.mkdir(parents=True, exist_ok=True)
            stack.enter_context(exclusive_lock(store_path))
        except OSError as exc:
            raise TrustStoreError(f"cannot lock {store_path}: {exc.strerror}") from exc
        yield TrustStore.load(store_path) if store_path.exists() else TrustStore.empty()


def _entry(store: TrustStore, kid: str) -> TrustedKey:
    entry = store.get(kid)
    if entry is None:  # pragma: no cover - the caller just put it there
        raise TrustStoreError("key not found in the saved store")
    return entry


def _save(store: TrustStore, store_path: Path) -> None:
    """Save, creating the store's folder first (``trust add --data var/`` on a fresh machine)."""
    try:
        store_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TrustStoreError(f"cannot create {store_path.parent}: {exc.strerror}") from exc
    store.save(store_path)
