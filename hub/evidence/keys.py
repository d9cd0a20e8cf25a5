"""The AES-256 keys that seal evidence at rest, kept in one folder.

Layout of the folder (mode 0700)::

    <key-id>.key   32 random bytes, base64, mode 0600 (never group/other readable)
    active         the id of the key new evidence is sealed with

Rotation adds a key and points ``active`` at it; old keys stay so that blobs
sealed with them remain readable. Each blob names its key id.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from certhub.hub.evidence.errors import EvidenceKeyError
from certhub.security import create_exclusive, replace_atomic

__all__ = ["KEY_BYTES", "EvidenceKeyring", "new_key_id"]

KEY_BYTES: Final = 32
_KEY_SUFFIX: Final = ".key"
_ACTIVE: Final = "active"
_KEY_ID: Final = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_UNSAFE_BITS: Final = stat.S_IRWXG | stat.S_IRWXO


class EvidenceKeyring:
    """Evidence keys by id, and which one seals new evidence.

    Build it with :meth:`load` or :meth:`load_or_create`; the constructor
    takes already validated keys.
    """

    def __init__(self, directory: Path, keys: dict[str, bytes], active: str) -> None:
        if active not in keys:
            raise EvidenceKeyError(f"active key {active!r} has no key file in {directory}")
        self._directory = directory
        self._keys = dict(keys)
        self._active = active

    def __repr__(self) -> str:
        return f"EvidenceKeyring({str(self._directory)!r}, active={self._active!r})"

    @property
    def directory(self) -> Path:
        """The key folder."""
        return self._directory

    @property
    def active_id(self) -> str:
        """Id of the key that seals new evidence."""
        return self._active

    @property
    def key_ids(self) -> frozenset[str]:
        """Ids of every key that can open evidence."""
        return frozenset(self._keys)

    def key(self, key_id: str) -> bytes:
        """The key named ``key_id``, re-reading the folder once if it is not known yet.

        Raises:
            EvidenceKeyError: no such key (or the folder became unusable).
        """
        if key_id not in self._keys:
            self._reload()
        try:
            return self._keys[key_id]
        except KeyError:
            raise EvidenceKeyError(f"no evidence key {key_id!r} in {self._directory}") from None

    @classmethod
    def load(cls, directory: Path) -> EvidenceKeyring:
        """Load an existing key folder (e.g. provisioned in the secrets directory).

        Raises:
            EvidenceKeyError: the folder or ``active`` is missing, a key file is
                readable by group/others, or a key is not 32 bytes of base64.
        """
        keys = _read_keys(directory)
        return cls(directory, keys, _read_active(directory))

    @classmethod
    def load_or_create(cls, directory: Path) -> EvidenceKeyring:
        """Load the folder, first creating it (0700) with one generated key if absent."""
        if not (directory / _ACTIVE).exists():
            directory.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            directory.mkdir(mode=0o700, exist_ok=True)
            if not any(directory.glob(f"*{_KEY_SUFFIX}")):
                key_id = new_key_id()
                _write_key(directory, key_id)
                _write_active(directory, key_id)
        return cls.load(directory)

    def rotate(self) -> str:
        """Generate a new key, make it active and return its id; old keys stay for reading."""
        key_id = new_key_id()
        self._keys[key_id] = _write_key(self._directory, key_id)
        _write_active(self._directory, key_id)
        self._active = key_id
        return key_id

    def _reload(self) -> None:
        self._keys.update(_read_keys(self._directory))


def new_key_id() -> str:
    """A fresh evidence key id: the day it was made and 8 random hex digits."""
    return f"ek-{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(4)}"


def _read_keys(directory: Path) -> dict[str, bytes]:
    if not directory.is_dir():
        raise EvidenceKeyError(f"evidence key folder {directory} does not exist")
    keys = {
        path.name.removesuffix(_KEY_SUFFIX): _read_key(path)
        for path in sorted(directory.glob(f"*{_KEY_SUFFIX}"))
    }
    if not keys:
        raise EvidenceKeyError(f"no <key-id>{_KEY_SUFFIX} files in {directory}")
    return keys


def _read_key(path: Path) -> bytes:
    key_id = path.name.removesuffix(_KEY_SUFFIX)
    if not _KEY_ID.match(key_id):
        raise EvidenceKeyError(f"{path}: key id must match {_KEY_ID.pattern}")
    mode = path.stat().st_mode
    if mode & _UNSAFE_BITS:
        raise EvidenceKeyError(
            f"{path} is accessible by group/others (mode {stat.S_IMODE(mode):04o}); chmod 600 it"
        )
    try:
        key = base64.b64decode(path.read_bytes().strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise EvidenceKeyError(f"{path} is not base64: {exc}") from exc
    if len(key) != KEY_BYTES:
        raise EvidenceKeyError(f"{path} holds {len(key)} bytes; an AES-256 key is {KEY_BYTES}")
    return key


def _read_active(directory: Path) -> str:
    try:
        key_id = (directory / _ACTIVE).read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise EvidenceKeyError(f"{directory / _ACTIVE} is missing (names the active key)") from None
    except UnicodeDecodeError as exc:
        raise EvidenceKeyError(f"{directory / _ACTIVE} is not an ASCII key id") from exc
    if not _KEY_ID.match(key_id):
        raise EvidenceKeyError(f"{directory / _ACTIVE}: key id must match {_KEY_ID.pattern}")
    return key_id


def _write_key(directory: Path, key_id: str) -> bytes:
    key = secrets.token_bytes(KEY_BYTES)
    path = directory / f"{key_id}{_KEY_SUFFIX}"
    create_exclusive(path, base64.b64encode(key) + b"\n")
    return key


def _write_active(directory: Path, key_id: str) -> None:
    replace_atomic(directory / _ACTIVE, f"{key_id}\n".encode(), mode=0o600)
