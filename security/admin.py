"""Operations behind the ``certhub`` CLI: create a sender's key pair, trust or revoke a key.

Plain functions so the hub's argparse CLI stays a thin shell over them.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from pathlib import Path

from certhub.schemas import Role

from ._encoding import json_dumps_pretty, read_json_file
from ._files import create_exclusive
from ._identifiers import require_sender_id
from .errors import InvalidKeyError, KeyFileError, TrustStoreError
from .keys import Algorithm, SigningKey, VerifyingKey, write_private_key
from .trust import TrustedKey, TrustStore

__all__ = ["create_sender_key", "trust_add", "trust_revoke"]

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


def trust_add(
    store_path: Path,
    public_jwk_path: Path,
    *,
    sender: str,
    may_send: Collection[str],
    may_read: bool,
    role: str | None = None,
    not_after: datetime | None = None,
    move: bool = False,
) -> TrustedKey:
    """Add (or update the permissions of) a public key in the trust store file.

    The store file (and its folder) is created if missing and rewritten
    atomically, after every check passed. Re-adding a key for the same sender
    keeps its role and expiry unless new ones are given; giving it to another
    sender needs ``move``.

    Raises:
        ValueError: ``sender`` is not a valid sender id.
        KeyFileError: the JWK file cannot be read or is not JSON.
        TrustStoreError: the store or the JWK is invalid, ``role`` is not a
            :class:`~schemas.Role`, the key belongs to another sender and
            ``move`` is false, or the kid conflicts.
    """
    require_sender_id(sender)
    if role is not None and role not in _ROLES:
        raise TrustStoreError(f"unknown role {role!r}; known: {', '.join(_ROLES)}")
    jwk = read_json_file(public_jwk_path, str(public_jwk_path), KeyFileError)
    if not isinstance(jwk, dict):
        raise KeyFileError(f"{public_jwk_path} must hold a JSON object")
    store = TrustStore.load(store_path) if store_path.exists() else TrustStore.empty()
    try:
        kid = VerifyingKey.from_jwk(jwk).kid
    except InvalidKeyError as exc:
        raise TrustStoreError(f"cannot add key: {exc}") from exc
    existing = store.get(kid)
    if existing is not None and existing.sender == sender:
        role = existing.role if role is None else role
        not_after = existing.not_after if not_after is None else not_after
    store = store.add(
        jwk,
        sender=sender,
        may_send=may_send,
        may_read=may_read,
        role=role,
        not_after=not_after,
        move=move,
    )
    _save(store, store_path)
    entry = store.get(kid)
    if entry is None:  # pragma: no cover - add() just put it there
        raise TrustStoreError("added key not found in the saved store")
    return entry


def trust_revoke(store_path: Path, kid: str) -> TrustedKey:
    """Revoke ``kid`` in the trust store file, for good (re-adding it keeps it revoked).

    Raises:
        TrustStoreError: no store file, ``kid`` is not in it, or it cannot be written.
    """
    if not store_path.exists():
        raise TrustStoreError(f"no trust store at {store_path}")
    store = TrustStore.load(store_path).revoke(kid)
    _save(store, store_path)
    entry = store.get(kid)
    if entry is None:  # pragma: no cover - revoke() keeps the entry
        raise TrustStoreError("revoked key not found in the saved store")
    return entry


def _save(store: TrustStore, store_path: Path) -> None:
    """Save, creating the store's folder first (``trust add --data var/`` on a fresh machine)."""
    try:
        store_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TrustStoreError(f"cannot create {store_path.parent}: {exc.strerror}") from exc
    store.save(store_path)
