"""Operations behind the ``certhub`` CLI: create a sender's key pair, trust a key.

Plain functions so the hub's argparse CLI stays a thin shell over them.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from pathlib import Path

from ._encoding import json_dumps_pretty, json_loads
from ._files import create_exclusive
from ._identifiers import require_sender_id
from .errors import KeyFileError, TrustStoreError
from .keys import Algorithm, SigningKey, VerifyingKey, write_private_key
from .trust import TrustedKey, TrustStore

__all__ = ["create_sender_key", "trust_add"]


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
) -> TrustedKey:
    """Add (or update the permissions of) a public key in the trust store file.

    The store file is created if missing and rewritten atomically.

    Raises:
        ValueError: ``sender`` is not a valid sender id.
        KeyFileError: the JWK file cannot be read or is not JSON.
        TrustStoreError: the store or the JWK is invalid, or the kid conflicts.
    """
    require_sender_id(sender)
    try:
        jwk = json_loads(public_jwk_path.read_bytes())
    except OSError as exc:
        raise KeyFileError(f"cannot read {public_jwk_path}: {exc.strerror}") from exc
    except ValueError as exc:
        raise KeyFileError(f"{public_jwk_path} is not valid JSON: {exc}") from exc
    if not isinstance(jwk, dict):
        raise KeyFileError(f"{public_jwk_path} must hold a JSON object")
    store = TrustStore.load(store_path) if store_path.exists() else TrustStore.empty()
    store = store.add(jwk, sender=sender, may_send=may_send, may_read=may_read, role=role,
                      not_after=not_after)
    store.save(store_path)
    entry = store.get(VerifyingKey.from_jwk(jwk).kid)  # add() has validated the JWK
    if entry is None:  # pragma: no cover - add() just put it there
        raise TrustStoreError("added key not found in the saved store")
    return entry
