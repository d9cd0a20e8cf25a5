"""The helper process that does signature arithmetic for :mod:`certhub.security.offload`.

Run as ``python -m certhub.security.signature_worker FD``: ``FD`` is the helper's end
of a socket pair. It reads batches of operations (check a signature, or sign
bytes with a key it is given), does each and answers in order. It holds no
trust decisions: the hub has already chosen the key and checked every
permission; this process only does the arithmetic, on another core.
"""

from __future__ import annotations

import signal
import socket
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from .signature_wire import (
    SIGN_ED25519,
    SIGN_ES256,
    VALID,
    VERIFY_ED25519,
    VERIFY_ES256,
    decode_batch,
    encode_answers,
    read_frame,
)

_P256_BYTES = 32

Key = (
    ed25519.Ed25519PublicKey
    | ec.EllipticCurvePublicKey
    | ed25519.Ed25519PrivateKey
    | ec.EllipticCurvePrivateKey
)


class KeyCache:
    """Key objects by their bytes (few keys, many messages)."""

    def __init__(self, limit: int = 4096) -> None:
        self._keys: dict[tuple[int, bytes], Key] = {}
        self._limit = limit

    def get(self, op: int, raw: bytes) -> Key:
        """The key object for ``raw``; raises ValueError for bytes that are no key."""
        key = self._keys.get((op, raw))
        if key is None:
            if len(self._keys) >= self._limit:
                self._keys.clear()
            key = _load(op, raw)
            self._keys[(op, raw)] = key
        return key


def _load(op: int, raw: bytes) -> Key:
    if op == VERIFY_ED25519:
        return ed25519.Ed25519PublicKey.from_public_bytes(raw)
    if op == VERIFY_ES256:
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    if op == SIGN_ED25519:
        return ed25519.Ed25519PrivateKey.from_private_bytes(raw)
    if op == SIGN_ES256:
        return ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
    raise ValueError(f"unknown operation {op}")


def perform(keys: KeyCache, op: int, raw_key: bytes, signature: bytes, data: bytes) -> bytes:
    """One operation's answer: VALID or b"" for a check, the signature or b"" for signing."""
    try:
        key = keys.get(op, raw_key)
        if isinstance(key, ed25519.Ed25519PrivateKey):
            return key.sign(data)
        if isinstance(key, ec.EllipticCurvePrivateKey):
            r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
            return r.to_bytes(_P256_BYTES, "big") + s.to_bytes(_P256_BYTES, "big")
        if isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, data)
        else:
            if len(signature) != 2 * _P256_BYTES:
                return b""
            r = int.from_bytes(signature[:_P256_BYTES], "big")
            s = int.from_bytes(signature[_P256_BYTES:], "big")
            key.verify(encode_dss_signature(r, s), data, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return b""
    return VALID


def serve(sock: socket.socket) -> None:
    """Answer batches until the hub closes its end."""
    keys = KeyCache()
    stream = sock.makefile("rb")
    while (frame := read_frame(stream)) is not None:
        sock.sendall(encode_answers([perform(keys, *item) for item in decode_batch(frame)]))


def main() -> None:
    """Entry point: serve on the inherited socket ``argv[1]``.

    Ctrl-C in the hub's terminal reaches this process too; it is ignored so
    the hub decides when its helper stops (by closing the socket). If the hub
    dies, the socket closes all the same and this process ends.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sock = socket.socket(fileno=int(sys.argv[1]))
    try:
        serve(sock)
    except (BrokenPipeError, ConnectionResetError):
        pass
    finally:
        sock.close()


if __name__ == "__main__":
    main()
