"""One-time enrolment codes: issued by county staff, redeemed once by a phone, stored as HMACs.

A code is 12 random digits (10¹² possibilities; shown ``1234-5678-9012``, easy
to read out and to type on a phone's number pad). The file keeps only
``HMAC-SHA-256(secret, code)``: the secret is ``enrolment.key`` in the
secrets folder (``CERTHUB_SECRETS_DIR``, else ``DATA/secrets/``), made on
first use, so a copy of the codes file alone does not give away live codes,
not even by trying all 10¹² of them.

The file (``DATA/enrolment-codes.json``, mode 0600) is changed by the CLI and
by the running hub, so every change is a read-modify-write under its lock.
Used and expired codes stay a week (who enrolled which key, and the ids of
signed requests, against replays), then go.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final

from certhub.hub.problems import Problem
from certhub.schemas.clock import utc_now
from certhub.security import TrustedKey, exclusive_lock, load_or_create_secret, replace_atomic

__all__ = [
    "CODE_INVALID", "CodeBook", "CodeRecord", "IssuedCode", "code_mac", "display_code",
    "draw_code", "normalise_code",
]  # fmt: skip

CODE_DIGITS: Final = 12
KEEP_AFTER_EXPIRY: Final = timedelta(days=7)
_SECRET_BYTES: Final = 32
CODE_INVALID: Final = (
    "this enrolment code is unknown, used or expired; ask the county for a new one"
)
"""The one detail of every refused code: unknown, used, expired or malformed alike."""


def normalise_code(text: object) -> str | None:
    """The 12 digits of a code as typed (spaces and hyphens dropped), or None if it is not one."""
    if not isinstance(text, str) or len(text) > 2 * CODE_DIGITS:
        return None
    digits = text.replace(" ", "").replace("-", "")
    if len(digits) != CODE_DIGITS or not digits.isascii() or not digits.isdigit():
        return None
    return digits


def display_code(code: str) -> str:
    """The 12 digits as shown to staff: ``1234-5678-9012``."""
    return "-".join(code[i : i + 4] for i in range(0, CODE_DIGITS, 4))


def draw_code() -> tuple[str, str]:
    """A new random code (12 digits) and its id (8 hex digits, shown in the audit chain)."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}", secrets.token_hex(4)


def code_mac(key: bytes, code: str) -> str:
    """What is stored of ``code``: ``HMAC-SHA-256(key, code)`` in hex."""
    return hmac.new(key, code.encode("ascii"), hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class IssuedCode:
    """A new code as shown once to the county staff (the file keeps only its HMAC)."""

    code: str
    code_id: str
    village: str
    role: str
    sender: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class CodeRecord:
    """One code in the file: what it enrols, who issued it, and whether it was used."""

    code_id: str
    mac: str
    village: str
    role: str
    sender: str
    issued_by: str
    issued_at: datetime
    expires_at: datetime
    request: str | None = None  # "<issuer>:<jti>" of the signed request that asked for it
    used_at: datetime | None = None
    kid: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The record as stored (times in ISO 8601)."""
        return {
            key: value.isoformat() if isinstance(value, datetime) else value
            for key, value in asdict(self).items()
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CodeRecord:
        """Read a stored record.

        Raises:
            ValueError: a member is missing, unknown, or a time is not ISO 8601.
        """
        times = {"issued_at", "expires_at", "used_at"}
        values: dict[str, Any] = {
            key: datetime.fromisoformat(value) if key in times and value is not None else value
            for key, value in data.items()
        }
        try:
            return cls(**values)
        except TypeError as exc:
            raise ValueError(f"enrolment code record: {exc}") from exc


class CodeBook:
    """The enrolment codes file: issue a code, redeem it once.

    Args:
        path: the codes file (created on first issue).
        secret_path: the MAC key file, shared by the hub and the CLI; read
            (or made) on first use, so a hub whose secrets folder lacks it
            still starts.
        clock: the current aware time (injected by tests).
    """

    def __init__(
        self, path: Path, secret_path: Path, *, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self.path = path
        self.secret_path = secret_path
        self._key: bytes | None = None
        self._clock = clock

    def issue(
        self,
        *,
        village: str,
        role: str,
        sender: str | None,
        hours: int,
        issued_by: str,
        request: str | None = None,
    ) -> IssuedCode:
        """Make a code that enrols one key as ``role`` of ``village`` within ``hours``.

        Args:
            village: the 12-digit village code the key will read and report for.
            role: the trust-store role of the key (``coordinator``).
            sender: the sender id the key gets (``None``: ``coord-<village>-<id>``).
            hours: how long the code stays valid.
            issued_by: who asked (a staff sender id, or ``cli:<user>``).
            request: ``<issuer>:<jti>`` of the signed request, refused if seen before.

        Raises:
            Problem: ``replay`` (that signed request already made a code), or
                ``enrolment-request-invalid`` (``sender`` is already waiting for a code).
            OSError: the file cannot be written.
        """
        now = self._clock()
        code, code_id = draw_code()
        with self._editing(now) as records:
            if request is not None and any(r.request == request for r in records):
                raise Problem("replay", "this signed request already made an enrolment code")
            if sender is not None and any(
                r.sender == sender and r.used_at is None and r.expires_at > now for r in records
            ):
                raise Problem("enrolment-request-invalid", f"a code for {sender!r} is still open")
            record = CodeRecord(
                code_id=code_id,
                mac=self._mac(code),
                village=village,
                role=role,
                sender=sender or f"coord-{village}-{code_id}",
                issued_by=issued_by,
                issued_at=now,
                expires_at=now + timedelta(hours=hours),
                request=request,
            )
            records.append(record)
        shown = display_code(code)
        return IssuedCode(shown, code_id, village, role, record.sender, record.expires_at)

    def redeem(self, code: str, bind: Callable[[CodeRecord], TrustedKey]) -> TrustedKey:
        """Use ``code`` once: ``bind`` trusts the key, then the code is marked used.

        ``bind`` runs under the codes file's lock, so two phones posting the
        same code cannot both bind a key. If it raises, the code stays unused.

        Raises:
            Problem: ``enrolment-code-invalid`` for an unknown, used or expired
                code (one answer for all three, so guessing learns nothing).
            OSError: the file cannot be read or written.
        """
        now = self._clock()
        mac = self._mac(code)
        with self._editing(now) as records:
            # Compare with every record, in constant time each: no early exit to time.
            matches = [i for i, r in enumerate(records) if hmac.compare_digest(r.mac, mac)]
            record = records[matches[0]] if matches else None
            if record is None or record.used_at is not None or record.expires_at <= now:
                raise Problem("enrolment-code-invalid", CODE_INVALID)
            trusted = bind(record)
            records[matches[0]] = replace(record, used_at=now, kid=trusted.kid)
        return trusted

    def find(self, code: str) -> CodeRecord | None:
        """The record of ``code`` (used, expired or not), or None; compared as :meth:`redeem`."""
        mac = self._mac(code)
        found = [r for r in self._load() if hmac.compare_digest(r.mac, mac)]
        return found[0] if found else None

    def records(self) -> list[CodeRecord]:
        """Every code still in the file (used and expired ones for a week), oldest first."""
        return self._load()

    def _mac(self, code: str) -> str:
        if self._key is None:
            self._key = load_or_create_secret(self.secret_path, _SECRET_BYTES)
        return code_mac(self._key, code)

    @contextmanager
    def _editing(self, now: datetime) -> Iterator[list[CodeRecord]]:
        """The records under the file's lock; saved (pruned of old ones) if the block succeeds."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with exclusive_lock(self.path):
            records = self._load()
            yield records
            keep = [r for r in records if r.expires_at + KEEP_AFTER_EXPIRY > now]
            document = {"codes": [r.to_json() for r in keep]}
            replace_atomic(self.path, json.dumps(document, indent=1).encode(), mode=0o600)

    def _load(self) -> list[CodeRecord]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        document = json.loads(text)
        return [CodeRecord.from_json(item) for item in document["codes"]]
