"""Webhook callbacks of the provincial self-service channels: HMAC, replay guard, translation.

Authentication: each channel has its own secret (a file named by
``secret_path``). A callback carries three headers —

* ``X-Channel-Timestamp``: Unix seconds when the channel sent it,
* ``X-Channel-Nonce``: 16–64 characters ``[A-Za-z0-9_-]``, fresh per callback,
* ``X-Channel-Signature``: ``sha256=`` + hex HMAC-SHA256 over
  ``<timestamp> "\\n" <nonce> "\\n" <exact body bytes>``.

HMAC rather than JWS because the channels' gateways (a province-wide app
platform, 25,000 kiosks) already sign callbacks with shared secrets, and the
hub re-signs every translated event with its own key anyway.

Replay protection: the timestamp must be within ``window_seconds`` of now, and
a nonce is remembered for twice that window — the same callback (or any
callback reusing a nonce) within the window is refused as a replay (409);
after the window the timestamp refuses it. The channel's own event id also
becomes the ledger message id, so even a replay that slipped through after a
restart would store nothing new; the same event id with other content (a
``result`` changed from PASS to FAIL) is refused by the hub as a replay (409),
so a channel corrects an event by sending it under a new event id.

The body is JSON with no member twice in any object (400 otherwise).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar, Final

from pydantic import AnyHttpUrl, Field

from certhub.schemas import CertificationEvent
from certhub.security import DuplicateMember, refuse_duplicate_members

from ..base import Adapter, AdapterOptions
from ..config import AdapterConfig
from ..errors import AdapterSetupError, RequestRejected, SignatureRejected
from ..local_reporting.signed import check_size, observed
from ..native import native_json
from ..types import InboundBatch, InboundItem, ItemError

__all__ = [
    "NONCE_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "ChannelConfig",
    "ChannelWebhookAdapter",
    "ReplayGuard",
    "sign_callback",
]

TIMESTAMP_HEADER: Final = "X-Channel-Timestamp"
NONCE_HEADER: Final = "X-Channel-Nonce"
SIGNATURE_HEADER: Final = "X-Channel-Signature"
_NONCE: Final = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_SAFE_ID: Final = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")


def sign_callback(secret: bytes, timestamp: int, nonce: str, body: bytes) -> str:
    """The ``X-Channel-Signature`` value for a callback."""
    mac = hmac.new(secret, f"{timestamp}\n{nonce}\n".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class ReplayGuard:
    """Nonces seen within the window, oldest first; bounded in size."""

    def __init__(self, window: float, *, max_entries: int, clock: Callable[[], float]) -> None:
        self.window = window
        self._max_entries = max_entries
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()

    def check_time(self, timestamp: int) -> None:
        """Refuse a timestamp outside the window (SignatureRejected)."""
        if abs(self._clock() - timestamp) > self.window:
            raise SignatureRejected(f"timestamp outside the {self.window:.0f}s window")

    def remember(self, nonce: str) -> None:
        """Record ``nonce``; refuse it if seen within the window (RequestRejected 409)."""
        now = self._clock()
        while self._seen and next(iter(self._seen.values())) < now - 2 * self.window:
            self._seen.popitem(last=False)
        if nonce in self._seen:
            raise RequestRejected("callback replayed (nonce already used)", status=409)
        if len(self._seen) >= self._max_entries:
            self._seen.popitem(last=False)  # a flood: the ledger's message ids still dedupe
        self._seen[nonce] = now


class ChannelConfig(AdapterConfig):
    """Settings of one channel's webhook."""

    base_url: AnyHttpUrl = Field(
        default=AnyHttpUrl("http://127.0.0.1/"), description="Unused: the channel calls us."
    )
    secret_path: Path = Field(description="File holding the channel's HMAC secret.")
    window_seconds: float = Field(default=300.0, gt=0, le=3600)
    max_nonces: int = Field(default=1_000_000, ge=100)
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)


class ChannelWebhookAdapter(Adapter[ChannelConfig]):
    """Base of the channel webhooks; subclasses name the channel and translate its JSON."""

    operations: ClassVar[frozenset[str]] = frozenset({"translate"})
    accepts = "messages"
    produces = frozenset({"certification_event/v1"})

    def __init__(self, config: ChannelConfig, options: AdapterOptions) -> None:
        super().__init__(config, options)
        try:
            self._secret = config.secret_path.read_bytes().strip()
        except OSError as exc:
            raise AdapterSetupError(f"{self.name}: secret file unreadable") from exc
        if len(self._secret) < 16:
            raise AdapterSetupError(f"{self.name}: secret shorter than 16 bytes")
        self.guard = ReplayGuard(
            config.window_seconds, max_entries=config.max_nonces, clock=time.time
        )

    async def translate(
        self, body: bytes, headers: Mapping[str, str], params: Mapping[str, str]
    ) -> InboundBatch:
        """The callback's certification event, after signature and replay checks."""
        with observed(self, "translate"):
            media = headers.get("Content-Type", "").split(";")[0].strip()
            if media != "application/json":
                raise RequestRejected(f"send application/json, not {media!r}", status=415)
            check_size(body, self.config.max_body_bytes)
            self._authenticate(body, headers)
            try:
                refuse_duplicate_members(body)  # one meaning per callback, as for signed pushes
                native = native_json(body)
            except DuplicateMember as exc:
                raise RequestRejected(f"body: {exc}", status=400) from None
            except ValueError:
                raise RequestRejected("body is not JSON (or nested too deep)", status=400) from None
            return self._batch(native)

    def _authenticate(self, body: bytes, headers: Mapping[str, str]) -> None:
        stamp, nonce = headers.get(TIMESTAMP_HEADER, ""), headers.get(NONCE_HEADER, "")
        if not stamp.isdigit() or not _NONCE.match(nonce):
            raise SignatureRejected(f"{TIMESTAMP_HEADER} and {NONCE_HEADER} are required")
        self.guard.check_time(int(stamp))
        expected = sign_callback(self._secret, int(stamp), nonce, body)
        if not hmac.compare_digest(expected, headers.get(SIGNATURE_HEADER, "")):
            raise SignatureRejected("signature does not verify")
        self.guard.remember(nonce)

    def _batch(self, native: Any) -> InboundBatch:
        if not isinstance(native, dict):
            error = ItemError(position=0, reason="not a JSON object")
            return InboundBatch(errors=(error,), total=1)
        result = self.event_from_native(native)
        if isinstance(result, ItemError):
            return InboundBatch(errors=(result,), total=1)
        event_id, event = result
        if not _SAFE_ID.fullmatch(event_id):  # match's "$" took a final newline
            event_id = hashlib.sha256(event_id.encode()).hexdigest()[:40]
        item = InboundItem(position=0, message_id=f"{self.name}.{event_id}", message=event)
        return InboundBatch(items=(item,), total=1)

    def event_from_native(
        self, native: dict[str, Any]
    ) -> tuple[str, CertificationEvent] | ItemError:
        """The channel's event id and canonical event, or why the callback is not one."""
        raise NotImplementedError
