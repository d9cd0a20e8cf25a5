"""Native e-ID SOAP fields ↔ canonical adapter types. Pure functions, no I/O."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from pydantic import ValidationError

from certhub.schemas.clock import CHINA_STANDARD_TIME as CST

from ..errors import ResponseInvalid
from ..types import (
    CancellationPage,
    CancellationReason,
    HouseholdCancellation,
    IdentityVerdict,
    IdentityVerification,
    PersonCheck,
)

__all__ = ["REASONS", "VERDICTS", "cancellation_page", "verification", "verify_request"]

VERDICTS: Final = {
    "MATCH": IdentityVerdict.match,
    "MISMATCH": IdentityVerdict.mismatch,
    "REVOKED": IdentityVerdict.licence_revoked,
    "DECEASED": IdentityVerdict.deceased,
}
REASONS: Final = {
    "01": CancellationReason.death,
    "02": CancellationReason.emigration,
    "03": CancellationReason.military_service,
    "04": CancellationReason.duplicate_registration,
    "99": CancellationReason.other,
}


def verify_request(check: PersonCheck) -> dict[str, Any]:
    """The VerifyPerson parameters for ``check``."""
    return {
        "RequestId": check.request_id,
        "IdNumber": check.id_number,
        "Name": check.name,
        "Photo": check.photo_jpeg,
    }


def _aware(value: datetime) -> datetime:
    """xsd:dateTime without an offset is China Standard Time, the service's zone."""
    return value if value.tzinfo is not None else value.replace(tzinfo=CST)


def verification(reply: Any, request_id: str) -> IdentityVerification:
    """The canonical verdict from a VerifyPersonResponse.

    Raises:
        ResponseInvalid: unknown result code, echoed request id differs, or bad values.
    """
    if reply.RequestId != request_id:
        raise ResponseInvalid("reply is for another request id")
    verdict = VERDICTS.get(reply.Result)
    if verdict is None:
        raise ResponseInvalid("unknown Result code")
    similarity = reply.Similarity
    try:
        return IdentityVerification(
            request_id=reply.RequestId,
            verdict=verdict,
            similarity=float(similarity) if isinstance(similarity, Decimal) else None,
            checked_at=_aware(reply.CheckedAt),
            licence_id=reply.LicenceId,
            date_of_death=reply.DeathDate if isinstance(reply.DeathDate, date) else None,
        )
    except ValidationError as exc:
        fields = ", ".join(str(err["loc"][0]) for err in exc.errors())
        raise ResponseInvalid(f"VerifyPersonResponse has invalid {fields}") from None


def _cancellation(item: Any) -> HouseholdCancellation:
    reason = REASONS.get(item.Reason)
    if reason is None:
        raise ResponseInvalid("unknown cancellation Reason code")
    try:
        return HouseholdCancellation(
            id_number=item.IdNumber,
            name=item.Name,
            reason=reason,
            cancelled_on=item.CancelledOn,
            county=item.RegionCode,
            authority=item.Authority,
        )
    except ValidationError as exc:
        fields = ", ".join(str(err["loc"][0]) for err in exc.errors())
        raise ResponseInvalid(f"Cancellation has invalid {fields}") from None


def cancellation_page(reply: Any) -> CancellationPage:
    """The canonical page from a QueryCancellationsResponse."""
    items = tuple(_cancellation(item) for item in (reply.Cancellation or ()))
    return CancellationPage(items=items, next_page=reply.NextPageToken or None)
