"""Opaque, tamper-evident pull cursors: a record kind and a ledger sequence, signed.

A cursor is ``base64url(JSON {"v", "k", "s"}) "." base64url(HMAC-SHA-256)``
under the deployment's cursor key. It is bound to its kind, so a report
cursor cannot be replayed against the certification pull, and a cursor made
by hand (or edited) is refused: only this deployment's hub processes, which
share the key file, can make one. Clients must treat it as an opaque string.

Cursors of version 1 (unsigned, before the key existed) are refused too: a
signature check that accepted them would accept any hand-made cursor.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

from certhub.hub.problems import Problem
from certhub.security import b64url_decode, b64url_encode, load_or_create_secret

__all__ = ["CursorCodec", "load_or_create_cursor_key"]

_VERSION = 2
_MAX_CHARS = 200
_MAC_BYTES = 16  # 128-bit tag: forging one is out of reach, the cursor stays short
MAX_SEQUENCE = 2**63 - 1
"""Ledger sequences are signed 64-bit integers in both databases."""
KEY_BYTES = 32


class CursorCodec:
    """Make and check the cursors of one deployment (one shared key)."""

    def __init__(self, key: bytes) -> None:
        """Sign cursors with ``key`` (at least 32 bytes)."""
        if len(key) < KEY_BYTES:
            raise ValueError(f"a cursor key needs at least {KEY_BYTES} bytes")
        self._key = key

    def encode(self, kind: str, sequence: int) -> str:
        """The cursor that continues after ``sequence`` in collection ``kind``."""
        raw = json.dumps({"v": _VERSION, "k": str(kind), "s": sequence}, separators=(",", ":"))
        body = b64url_encode(raw.encode())
        return f"{body}.{b64url_encode(self._mac(body))}"

    def decode(self, cursor: str | None, kind: str) -> int:
        """The sequence a cursor stands for; 0 (the beginning) for none (``None``).

        Raises:
            Problem: ``invalid-cursor`` for anything this deployment did not issue
                for ``kind``.
        """
        if cursor is None:  # `?after=` (empty) is no cursor this hub issued, not the beginning
            return 0
        body, _, tag = cursor.partition(".")
        # The tag is compared as text: one canonical spelling, no ignored trailing bits.
        if len(cursor) > _MAX_CHARS or not hmac.compare_digest(
            tag.encode("ascii", "replace"), b64url_encode(self._mac(body)).encode("ascii")
        ):
            raise Problem("invalid-cursor", "the cursor is not one this hub issued")
        data = json.loads(_unb64(body))  # our own signed JSON from here on
        sequence = data.get("s")
        if data.get("k") != str(kind) or type(sequence) is not int:
            raise Problem("invalid-cursor", f"the cursor is not a {kind} cursor of this hub")
        if not 0 <= sequence <= MAX_SEQUENCE:  # a hub never issues one, but never trust it
            raise Problem("invalid-cursor", "the cursor's position is out of range")
        return sequence

    def _mac(self, body: str) -> bytes:
        message = f"certhub-cursor/{_VERSION}:{body}".encode("ascii", "replace")
        return hmac.new(self._key, message, hashlib.sha256).digest()[:_MAC_BYTES]


def _unb64(text: str) -> bytes:
    """Decoded base64url, or ``b""`` for anything that is not (never equal to a tag)."""
    try:
        return b64url_decode(text)
    except ValueError:
        return b""


def load_or_create_cursor_key(path: Path) -> bytes:
    """The deployment's cursor key at ``path``, made (mode 0600) on first start.

    Every hub process of a deployment must read the same file (a shared data
    folder or secrets folder): a cursor one process issued is checked by any
    other. The file appears whole or not at all, and a process starting at
    the same time as another uses whichever key was linked first.

    Raises:
        ValueError: the file exists but holds fewer than 32 bytes.
        OSError: the file cannot be read or made.
    """
    try:
        return load_or_create_secret(path, KEY_BYTES)
    except ValueError as exc:
        raise ValueError(f"cursor key: {exc}") from exc
