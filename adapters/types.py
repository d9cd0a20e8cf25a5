"""Canonical requests and results of department calls that ``schemas`` has no model for.

They are the adapter side of the seam: the hub builds requests from
``schemas`` objects and reads these results; no native field names appear
here. ID numbers are masked in every ``repr``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from certhub.schemas import (
    CertificationEvent,
    Identifier,
    Message,
    PersonName,
    ResidentId,
    mask_resident_id,
)

__all__ = [
    "AccountCheck",
    "AccountVerdict",
    "AccountVerification",
    "CancellationPage",
    "CancellationReason",
    "CertificationPage",
    "HouseholdCancellation",
    "IdentityVerdict",
    "IdentityVerification",
    "InboundBatch",
    "InboundItem",
    "ItemError",
    "Notification",
    "NotificationReceipt",
    "PersonCheck",
    "RejectedRecord",
    "UplinkReceipt",
]

_FROZEN = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)
MobileNumber = Annotated[str, Field(pattern=r"^1[3-9][0-9]{9}$")]


class _MaskedIds(BaseModel):
    model_config = _FROZEN

    def __repr_args__(self) -> Iterable[tuple[str | None, Any]]:
        """Yield repr fields with ``id_number`` masked and bytes summarised."""
        for key, value in super().__repr_args__():
            if key == "id_number" and isinstance(value, str):
                yield key, mask_resident_id(value)
            elif isinstance(value, bytes):
                yield key, f"<{len(value)} bytes>"
            else:
                yield key, value


class PersonCheck(_MaskedIds):
    """Counter / home-visit check of a person against the public-security e-ID licence."""

    id_number: ResidentId
    name: PersonName
    photo_jpeg: bytes = Field(min_length=4, max_length=2 * 1024 * 1024)
    request_id: Identifier


class IdentityVerdict(StrEnum):
    """What the e-ID service says about a person check."""

    match = "match"
    mismatch = "mismatch"
    licence_revoked = "licence_revoked"
    deceased = "deceased"


class IdentityVerification(_MaskedIds):
    """The e-ID service's answer to one :class:`PersonCheck`."""

    request_id: Identifier
    verdict: IdentityVerdict
    similarity: float | None = Field(default=None, ge=0, le=1)
    checked_at: AwareDatetime
    licence_id: str | None = None
    date_of_death: date | None = None


class CancellationReason(StrEnum):
    """Why a household registration (户口) was cancelled (户籍注销)."""

    death = "death"
    emigration = "emigration"
    military_service = "military_service"
    duplicate_registration = "duplicate_registration"
    other = "other"


RegisteredIdNumber = Annotated[str, Field(pattern=r"^[0-9]{17}[0-9X]$")]
"""An ID number as a department's register holds it: 18 characters of the right shape, its
check character not verified — the comparison refuses an invalid one per record (so one bad
record never costs a page), and only a valid number is ever acted on."""


class HouseholdCancellation(_MaskedIds):
    """One cancelled household registration, as feed for the information comparison.

    ``id_number`` is the register's, unchecked (:data:`RegisteredIdNumber`).
    """

    id_number: RegisteredIdNumber
    name: PersonName
    reason: CancellationReason
    cancelled_on: date
    county: Annotated[str, Field(pattern=r"^[0-9]{6}$")]
    authority: str = Field(max_length=100)


class CancellationPage(BaseModel):
    """One page of cancellations and the token for the next page (None at the end)."""

    model_config = _FROZEN

    items: tuple[HouseholdCancellation, ...]
    next_page: str | None = None


class RejectedRecord(BaseModel):
    """A department record that could not be translated; ``reason`` never holds an ID."""

    model_config = _FROZEN

    record_id: str
    reason: str


class CertificationPage(BaseModel):
    """One page of certification results pulled from the ministry.

    ``next_cursor`` is where the next pull starts, also past rejected records,
    which are reported rather than silently dropped. ``record_ids[i]`` is the
    ministry's id of ``events[i]`` — a stable idempotency key for ingesting it.
    """

    model_config = _FROZEN

    events: tuple[CertificationEvent, ...]
    record_ids: tuple[str, ...] = ()
    rejected: tuple[RejectedRecord, ...] = ()
    next_cursor: str
    has_more: bool


class UplinkReceipt(BaseModel):
    """The ministry's acknowledgement of one pushed certification."""

    model_config = _FROZEN

    delivery_id: Identifier
    ministry_id: str
    accepted_at: datetime
    duplicate: bool = False


class Notification(BaseModel):
    """One SMS to a pensioner; ``notification_id`` makes sending idempotent."""

    model_config = _FROZEN

    notification_id: Identifier
    mobile: MobileNumber
    text: str = Field(min_length=1, max_length=500)

    def __repr_args__(self) -> Iterable[tuple[str | None, Any]]:
        """Yield repr fields with the mobile number masked."""
        for key, value in super().__repr_args__():
            yield key, (value[:3] + "****" + value[-4:]) if key == "mobile" else value


class NotificationReceipt(BaseModel):
    """The gateway's acknowledgement; ``duplicate`` when the id was already sent."""

    model_config = _FROZEN

    notification_id: Identifier
    gateway_id: str
    segments: int = Field(ge=1)
    duplicate: bool = False


AccountNumber = Annotated[str, Field(pattern=r"^[0-9]{8,32}$")]


class AccountCheck(_MaskedIds):
    """Restoration's bank-account consistency check: account + holder name + ID number."""

    account_number: AccountNumber
    name: PersonName
    id_number: ResidentId
    request_id: Identifier

    def __repr_args__(self) -> Iterable[tuple[str | None, Any]]:
        """Yield repr fields with the ID and the account number masked."""
        for key, value in super().__repr_args__():
            masked = key == "account_number" and isinstance(value, str)
            yield key, (value[:4] + "****" + value[-4:]) if masked else value


class AccountVerdict(StrEnum):
    """What the bank says about an :class:`AccountCheck`."""

    consistent = "consistent"
    inconsistent = "inconsistent"
    account_closed = "account_closed"


class AccountVerification(BaseModel):
    """The bank's answer to one :class:`AccountCheck`."""

    model_config = _FROZEN

    request_id: Identifier
    verdict: AccountVerdict
    bank_code: str
    checked_at: AwareDatetime


class InboundItem(BaseModel):
    """One translated inbound record: a canonical message and its stable message id.

    ``position`` says where it came from (row or line number; 0 for a single push).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    position: int = Field(ge=0)
    message_id: Identifier
    message: Message


class ItemError(BaseModel):
    """Why one row, line or record of an inbound file could not be translated.

    ``reason`` and ``column`` never hold an ID number (masked before construction).
    """

    model_config = _FROZEN

    position: int = Field(ge=0)
    column: str | None = None
    reason: str


class InboundBatch(BaseModel):
    """What an inbound push or upload translated into: items to ingest, errors per item."""

    model_config = _FROZEN

    items: tuple[InboundItem, ...] = ()
    errors: tuple[ItemError, ...] = ()
    total: int = Field(default=0, ge=0, description="Records seen, good and bad.")
