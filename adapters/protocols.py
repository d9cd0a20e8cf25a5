"""The small per-role protocols the hub depends on — never on an adapter class.

Inbound roles turn a department's native records into canonical ``schemas``
objects; outbound roles take a canonical request, call the department and
return a canonical result. Every role can be closed with ``aclose()``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import date
from typing import Protocol, runtime_checkable

from certhub.schemas import CertificationEvent

from .types import (
    AccountCheck,
    AccountVerification,
    CancellationPage,
    CertificationPage,
    IdentityVerification,
    InboundBatch,
    Notification,
    NotificationReceipt,
    PersonCheck,
    UplinkReceipt,
)

__all__ = [
    "AccountVerifier",
    "CancellationFeed",
    "CertificationIngest",
    "CertificationSource",
    "CertificationStream",
    "CertificationUplink",
    "Closeable",
    "IdentityVerifier",
    "InboundTranslator",
    "Notifier",
]

CertificationIngest = Callable[[CertificationEvent, str], Awaitable[None]]
"""Hub callback for a streamed event and its stable message id.

It raises a :class:`~certhub.adapters.errors.TransientError` to have the event
redelivered later, any other exception to have it dead-lettered."""


@runtime_checkable
class Closeable(Protocol):
    """Anything holding connections that must be released at shutdown."""

    async def aclose(self) -> None:
        """Release connections; the object is unusable afterwards."""


@runtime_checkable
class IdentityVerifier(Closeable, Protocol):
    """Outbound: check a person, name and on-site photo against the e-ID licence."""

    async def verify_person(self, check: PersonCheck) -> IdentityVerification:
        """The department's verdict on ``check``."""


@runtime_checkable
class CancellationFeed(Closeable, Protocol):
    """Inbound: household-registration cancellations since a date, page by page."""

    async def cancellations_since(
        self, since: date, *, page: str | None = None
    ) -> CancellationPage:
        """One page of cancellations on or after ``since``, starting at ``page``."""


@runtime_checkable
class CertificationSource(Closeable, Protocol):
    """Inbound: biometric certification results since a cursor, as canonical events."""

    async def pull_certifications(self, cursor: str | None, *, limit: int) -> CertificationPage:
        """The page after ``cursor`` (None = from the start), at most ``limit`` records."""


@runtime_checkable
class CertificationUplink(Closeable, Protocol):
    """Outbound: push one of Guangdong's certifications upward (never a batch)."""

    async def push_certification(
        self, event: CertificationEvent, *, delivery_id: str
    ) -> UplinkReceipt:
        """Deliver ``event``; the same ``delivery_id`` never takes effect twice."""


@runtime_checkable
class Notifier(Closeable, Protocol):
    """Outbound: send one SMS; the same notification id is never sent twice."""

    async def notify(self, notification: Notification) -> NotificationReceipt:
        """Send ``notification`` (or acknowledge it again if already sent)."""


@runtime_checkable
class AccountVerifier(Closeable, Protocol):
    """Outbound: does this bank account belong to this person, and is it open?"""

    async def check_account(self, check: AccountCheck) -> AccountVerification:
        """The bank's verdict on ``check``."""


@runtime_checkable
class CertificationStream(Closeable, Protocol):
    """Inbound: certification events a department pushes through a broker."""

    async def start(self, ingest: CertificationIngest) -> None:
        """Start consuming; each good event is acknowledged only after ``ingest`` returns."""


@runtime_checkable
class InboundTranslator(Closeable, Protocol):
    """Inbound: authenticate a department's HTTP push or upload and translate it.

    ``accepts`` is ``"messages"`` (one record per request, e.g. a webhook) or
    ``"uploads"`` (a file of many records, answered row by row).
    """

    @property
    def accepts(self) -> str:
        """``"messages"`` or ``"uploads"``."""

    @property
    def produces(self) -> frozenset[str]:
        """The canonical message types its items can be (the hub enrols it for these)."""

    async def translate(
        self, body: bytes, headers: Mapping[str, str], params: Mapping[str, str]
    ) -> InboundBatch:
        """The translated items and per-item errors.

        Raises:
            SignatureRejected: authentication failed (nothing was translated).
            RequestRejected: the whole request is unusable; ``status`` says how
                (409 replay, 413 too large, 415 media type, 422 content).
        """
