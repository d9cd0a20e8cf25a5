"""Checking and translating one bank terminal message. Pure functions, no I/O.

A message is a compact JWS (``application/jose``) signed by the bank's key,
typed ``bank_terminal_certification/v1``, sender ``bank:<bank code>``; its
payload is the bank's native JSON (pinyin initials, as the banks' 社银合作
interface names them)::

    yhdm  bank code (3 digits)      lsh   bank serial number (流水号)
    zdbh  terminal number           sfzh  resident ID number
    xm    name                      xzqh  county code
    rzfs  1 face, 2 fingerprint     rzjg  1 certified, 0 failed
    rzsj  ISO 8601 time with offset zpzy  SHA-256 of the on-site photo (optional)

``lsh`` and ``zdbh`` are written as the bank's reconciliation file writes them (1 to 24,
and 1 to 12, of ``A-Z a-z 0-9 _ -``).

The photo stays with the bank; its digest is cited as ``onsite_photo``
evidence held by the department (the adapter's sender has the trust-store
role ``department``, for which the hub records digests without the files).

The bank's serial is unique per bank and is the one its reconciliation file
lists for the same certification (``RECONCILIATION.md``), so the message id is
``bank<code>.<serial>`` (:func:`terminal_message_id`), not the JWS's random
``jti``: a re-send under a new ``jti`` is the same certification, and the hub
finds the certification the file recorded first by that serial.

Every refusal names a stable reason (the dead-letter header) and a detail
that never holds an ID number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from pydantic import ValidationError

from certhub.schemas import (
    CertificationEvent,
    CertificationMethod,
    CertificationOutcome,
    ChannelKind,
    mask_ids_in_text,
)
from certhub.security import (
    AlgorithmMismatch,
    KeyExpired,
    KeyRevoked,
    MalformedMessage,
    MessageVerifier,
    SecurityError,
    SenderMismatch,
    SignatureInvalid,
    UnknownKey,
    VerifiedMessage,
)

from ..native import held_photo, invalid_fields, native_json, native_person

__all__ = [
    "JOSE",
    "MESSAGE_TYPE",
    "DeadLetter",
    "Inspected",
    "event_from_native",
    "inspect_message",
    "terminal_message_id",
]

JOSE: Final = "application/jose"
MESSAGE_TYPE: Final = "bank_terminal_certification/v1"
_METHODS: Final = {"1": CertificationMethod.face, "2": CertificationMethod.fingerprint}
_OUTCOMES: Final = {"1": CertificationOutcome.certified, "0": CertificationOutcome.failed}
_BAD_SIGNATURE: Final = (
    UnknownKey, SignatureInvalid, KeyRevoked, KeyExpired, AlgorithmMismatch, SenderMismatch,
)  # fmt: skip
_SHA256: Final = re.compile(r"^[0-9a-f]{64}$")
_COMPACT: Final = re.compile(rb"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$")
_SERIAL: Final = re.compile(r"[A-Za-z0-9_-]{1,24}")  # the reconciliation file's serial field
_TERMINAL: Final = re.compile(r"[A-Za-z0-9_-]{1,12}")  # and its terminal field


@dataclass(frozen=True)
class DeadLetter:
    """Why a message goes to the dead-letter queue; ``outcome`` is its metric label."""

    reason: str
    detail: str
    outcome: str = "invalid"


@dataclass(frozen=True)
class Inspected:
    """A good message: its canonical event, the bank and a stable message id."""

    event: CertificationEvent
    bank_code: str
    message_id: str


def inspect_message(
    body: bytes,
    content_type: str | None,
    *,
    verifier: MessageVerifier,
    bank_codes: frozenset[str],
    max_bytes: int,
) -> Inspected | DeadLetter:
    """Check one delivery in order: type, size, signature, bank, record."""
    envelope = _envelope(body, content_type, verifier=verifier, max_bytes=max_bytes)
    if isinstance(envelope, DeadLetter):
        return envelope
    return _payload(envelope, bank_codes)


def _envelope(
    body: bytes, content_type: str | None, *, verifier: MessageVerifier, max_bytes: int
) -> VerifiedMessage | DeadLetter:
    if content_type != JOSE:
        return DeadLetter("wrong_content_type", f"content type {content_type!r}, not {JOSE}")
    if len(body) > max_bytes:
        return DeadLetter("oversized", f"{len(body)} bytes, limit {max_bytes}", "too_large")
    return _signature(body, verifier)


def _signature(body: bytes, verifier: MessageVerifier) -> VerifiedMessage | DeadLetter:
    if not _COMPACT.match(body):
        return DeadLetter("unsigned", "body is not a compact JWS")
    try:
        verified = verifier.verify(body, allowed_types={MESSAGE_TYPE})
    except MalformedMessage as exc:
        return DeadLetter("malformed", str(exc))
    except _BAD_SIGNATURE as exc:
        return DeadLetter("bad_signature", f"{type(exc).__name__}: {exc}", "signature")
    except SecurityError as exc:
        return DeadLetter("not_allowed", f"{type(exc).__name__}: {exc}")
    return verified


def _payload(verified: VerifiedMessage, bank_codes: frozenset[str]) -> Inspected | DeadLetter:
    sender_code = verified.sender.removeprefix("bank:")
    try:
        native = native_json(verified.payload)
    except ValueError:
        return DeadLetter("malformed", "payload is not JSON (or nested too deep)")
    if not isinstance(native, dict):
        return DeadLetter("malformed", "payload is not a JSON object")
    code = native.get("yhdm")
    if not isinstance(code, str) or code not in bank_codes or sender_code not in bank_codes:
        return DeadLetter("unknown_bank", f"bank code {str(code)[:8]!r} is not an agreed bank")
    if code != sender_code:
        return DeadLetter("bank_mismatch", f"signed by bank {sender_code}, names bank {code}")
    event = event_from_native(native)
    if isinstance(event, DeadLetter):
        return event
    return _named(event, code, native["lsh"], native["zdbh"])


def _named(
    event: CertificationEvent, code: str, serial: object, terminal: object
) -> Inspected | DeadLetter:
    """The good message, named by the bank's serial: the one its reconciliation file lists.

    Its serial and terminal are as that file writes them: the terminal is in the remarks
    that tell this record and the file's apart (``hub/ingress/bank_twins.py``).
    """
    if not isinstance(terminal, str) or not _TERMINAL.fullmatch(terminal):
        detail = "field 'zdbh': not a terminal number (1 to 12 of A-Z a-z 0-9 _ -)"
        return DeadLetter("invalid_record", detail)
    if not isinstance(serial, str) or not _SERIAL.fullmatch(serial):  # "$" would admit a final "\n"
        detail = "field 'lsh': not a bank serial (1 to 24 of A-Z a-z 0-9 _ -)"
        return DeadLetter("invalid_record", detail)
    return Inspected(event, code, terminal_message_id(code, serial))


def event_from_native(native: dict[str, Any]) -> CertificationEvent | DeadLetter:
    """The canonical event of one native record, or why it cannot be one."""
    try:
        photo = native.get("zpzy")
        if photo is not None and not _SHA256.match(str(photo)):
            raise KeyError("zpzy")
        remarks = f"银行终端 {native['zdbh']} 流水 {native['lsh']}"
        return CertificationEvent(
            person=native_person(native["sfzh"], native["xm"], native["xzqh"]),
            method=_METHODS[native["rzfs"]],
            channel={"kind": ChannelKind.bank_terminal, "code": native["yhdm"]},
            outcome=_OUTCOMES[native["rzjg"]],
            occurred_at=datetime.fromisoformat(native["rzsj"]),
            evidence=held_photo(photo),
            remarks=remarks,
        )
    except ValidationError as exc:
        return DeadLetter("invalid_record", invalid_fields(exc))
    except KeyError as exc:
        return DeadLetter("invalid_record", f"missing or unknown code in field {exc.args[0]!r}")
    except (TypeError, ValueError) as exc:
        return DeadLetter("invalid_record", mask_ids_in_text(f"{type(exc).__name__}"))


def terminal_message_id(code: str, serial: str) -> str:
    """The message id of bank ``code``'s certification ``serial`` (one per certification)."""
    return f"bank{code}.{serial}"
