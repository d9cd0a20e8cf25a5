"""The hub's own signing keys: created on first start, reused after, rotated by ops.

Layout of the key directory (mode 0700)::

    hub-signing-<kid>.pem   one PKCS#8 private key per generation (mode 0600)
    active                  the kid currently used for signing

Old keys stay in the directory so their public halves remain in ``jwks()``
and receipts signed before a rotation can still be verified.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

from ._files import replace_atomic
from .errors import KeyFileError
from .keys import Algorithm, SigningKey, read_private_key, write_private_key

__all__ = ["HubKeyring", "HubSigningKeys"]

_PREFIX = "hub-signing-"
_SUFFIX = ".pem"
_MARKER = "active"


class HubSigningKeys(Protocol):
    """What signs for the hub and publishes its keys: a key folder, or a deployment's database."""

    @property
    def active(self) -> SigningKey:
        """The key that signs now."""
        ...

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """Public JWK Set of every key still to be verified, active first."""
        ...


class HubKeyring:
    """The hub's signing keys; ``active`` signs, all are published.

    Build it with ``HubKeyring.load_or_create``.
    """

    def __init__(
        self, directory: Path, keys: list[SigningKey], active: SigningKey, alg: Algorithm
    ) -> None:
        self._directory = directory
        self._keys = {key.kid: key for key in keys}
        self._active = active
        self._alg = alg

    @classmethod
    def load_or_create(cls, directory: Path, *, alg: Algorithm = "EdDSA") -> HubKeyring:
        """Load the keys in ``directory``, generating the first one if there is none.

        Args:
            directory: key folder, created with mode 0700 if missing.
            alg: algorithm for newly generated keys.

        Raises:
            KeyFileError: the folder or a key file cannot be read or written, or a
                file name does not match the key inside it.
        """
        try:
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise KeyFileError(f"cannot create key directory {directory}: {exc.strerror}") from exc
        files = sorted(directory.glob(f"{_PREFIX}*{_SUFFIX}"), key=lambda p: p.stat().st_mtime)
        keys = [_read(path) for path in files]
        if not keys:
            keyring = cls(directory, [], SigningKey.generate(alg), alg)
            keyring._store_new(keyring.active)
            return keyring
        by_kid = {key.kid: key for key in keys}
        marked = _marked_kid(directory)
        active = by_kid[marked] if marked in by_kid else keys[-1]  # newest file as fallback
        return cls(directory, keys, active, alg)

    @property
    def active(self) -> SigningKey:
        """The key that signs receipts and responses now."""
        return self._active

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """Public JWK Set of every key, active first (for ``/.well-known/jwks.json``)."""
        others = [key for kid, key in self._keys.items() if kid != self._active.kid]
        return {"keys": [key.public_jwk() for key in [self._active, *others]]}

    def rotate(self) -> SigningKey:
        """Generate a new active key; old public keys stay published.

        Raises:
            KeyFileError: the new key or the marker cannot be written.
        """
        key = SigningKey.generate(self._alg)
        self._store_new(key)
        return key

    def _store_new(self, key: SigningKey) -> None:
        write_private_key(key, self._directory / f"{_PREFIX}{key.kid}{_SUFFIX}")
        try:
            replace_atomic(self._directory / _MARKER, f"{key.kid}\n".encode(), mode=0o600)
        except OSError as exc:
            raise KeyFileError(f"cannot write active-key marker: {exc.strerror}") from exc
        self._keys[key.kid] = key
        self._active = key


def _marked_kid(directory: Path) -> str | None:
    try:
        return (directory / _MARKER).read_text("ascii").strip() or None
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyFileError(f"cannot read active-key marker: {exc}") from exc


def _read(path: Path) -> SigningKey:
    key = read_private_key(path)
    if path.name != f"{_PREFIX}{key.kid}{_SUFFIX}":
        raise KeyFileError(f"{path} holds key {key.kid!r}, which does not match its name")
    if os.stat(path).st_mode & 0o077:
        raise KeyFileError(f"{path} is readable by group or others; want mode 0600")
    return key
