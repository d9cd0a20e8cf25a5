"""A bank's signed terminal message checked as the terminal consumer checks it, no broker."""

from __future__ import annotations

from certhub.adapters.bank.terminal_inspect import (
    MESSAGE_TYPE,
    DeadLetter,
    Inspected,
    inspect_message,
)
from certhub.security import MessageVerifier, SigningKey, TrustStore, sign_compact

BANK = "102"
KEY = SigningKey.generate()
VERIFIER = MessageVerifier(
    TrustStore.empty().add(
        KEY.public_jwk(),
        sender=f"bank:{BANK}",
        may_send=[MESSAGE_TYPE],
        may_read=False,
        role="department",
    )
)


def inspected(payload: bytes) -> Inspected | DeadLetter:
    """``payload`` signed by bank 102, then checked (64 KiB allowed)."""
    token = sign_compact(payload, key=KEY, typ=MESSAGE_TYPE, sender=f"bank:{BANK}")
    return inspect_message(
        token, "application/jose", verifier=VERIFIER, bank_codes=frozenset({BANK}),
        max_bytes=64 * 1024,
    )  # fmt: skip
