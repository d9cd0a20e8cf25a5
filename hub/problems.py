"""The problem catalogue: each refusal slug → (HTTP status, title), and :func:`problem_for`.

Everything that refuses raises a :class:`schemas.Refusal` carrying only a
slug and a detail; statuses and titles are decided here, once, for every
edge: the HTTP routes and middlewares (``certhub.hub.api``), the AMQP ingress and the
inbound adapters. :data:`ALL_PROBLEMS` is also what ``/openapi.json`` lists,
and ``tests/hub/test_openapi_problems.py`` checks that README's slug tables
name exactly these slugs with these statuses. Each slug is written once, in
the section of whoever raises it.

No aiohttp here: the HTTP rendering lives in ``certhub.hub.api.problems``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

from certhub.hub.store import StoreUnavailable
from certhub.schemas import Refusal
from certhub.security import TokenError

__all__ = [
    "ALL_PROBLEMS",
    "EDGE_PROBLEMS",
    "ENROLMENT_PROBLEMS",
    "EVIDENCE_PROBLEMS",
    "PROCEDURE_PROBLEMS",
    "SECURITY_PROBLEMS",
    "SERVICE_POINT_PROBLEMS",
    "Problem",
    "problem_for",
]

log = logging.getLogger(__name__)

# The HTTP edge, the ingress pipeline and the ledger.
EDGE_PROBLEMS: Final[Mapping[str, tuple[int, str]]] = {
    "unsupported-media-type": (415, "Unsupported media type"),
    "body-too-large": (413, "Request body too large"),
    "body-timeout": (408, "Request body not received in time"),
    "malformed-request": (400, "Malformed HTTP request"),
    "expectation-failed": (417, "Expectation not met"),
    "invalid-utf8": (400, "Payload is not valid UTF-8"),
    "invalid-json": (400, "Payload is not valid JSON"),
    "schema-violation": (422, "Payload violates the schema"),
    "replay": (409, "Message id already used"),
    "invalid-parameter": (400, "Invalid query parameter"),
    "invalid-cursor": (400, "Invalid cursor"),
    "authentication-required": (401, "Authentication required"),
    "not-found": (404, "Not found"),
    "unknown-schema-type": (404, "Unknown schema type"),
    "method-not-allowed": (405, "Method not allowed"),
    "store-unavailable": (503, "Ledger unavailable"),
    "overloaded": (429, "Hub overloaded; retry later"),
    "internal-error": (500, "Internal error"),
}

# The evidence vault (certhub.hub.evidence).
EVIDENCE_PROBLEMS: Final[Mapping[str, tuple[int, str]]] = {
    "evidence-type-mismatch": (415, "Evidence content differs from its declared type"),
    "evidence-unsupported": (415, "Evidence is not a JPEG, PNG or PDF"),
    "evidence-truncated": (400, "Evidence is truncated"),
    "evidence-not-decodable": (422, "Evidence does not decode as its format"),
    "evidence-trailing-data": (422, "Evidence has data after its end"),
    "evidence-too-many-pixels": (422, "Evidence image has too many pixels"),
    "evidence-location-data": (422, "Evidence photo carries GPS coordinates"),
    "evidence-active-content": (422, "Evidence PDF has active content"),
    "evidence-encrypted": (422, "Evidence PDF is encrypted"),
    "digest-mismatch": (400, "Content-Digest does not match the body"),
    "evidence-too-large": (413, "Evidence too large"),
    "evidence-not-found": (404, "Evidence not found"),
    "evidence-corrupt": (500, "Stored evidence is corrupt"),
}

# The procedure's rules (certhub.hub.rules, certhub.hub.procedure) and the ledger's guards
# (certhub.hub.store).
PROCEDURE_PROBLEMS: Final[Mapping[str, tuple[int, str]]] = {
    "forged-role": (403, "Actor does not match the signing key"),
    "role-not-permitted": (403, "Role may not take this decision"),
    "determiner-may-not-certify": (403, "Benefit determiners may not certify"),
    "same-actor": (403, "The same actor may not accept and approve"),
    "decision-out-of-order": (409, "Decision out of order"),
    "decision-not-applicable": (409, "This item takes no decisions"),
    "county-approval-required": (403, "Only the county level approves"),
    "municipal-approval-required": (403, "Municipal approval required"),
    "subject-mismatch": (400, "Decision subject differs from the URL"),
    "item-not-found": (404, "No such item"),
    "conflict": (409, "Changed concurrently; retry"),
    "evidence-missing": (422, "Referenced evidence is not stored"),
    "zero-report-conflict": (409, "Reports exist for this region and period"),
    "task-not-found": (404, "No such verification task"),
    "task-transition-invalid": (409, "Task transition not allowed"),
    "second-source-required": (422, "Grade-B evidence needs a second department"),
    "restoration-not-suspended": (409, "The benefit is not suspended"),
    "restoration-no-roster": (409, "The person has no roster entry"),
    "restoration-period-invalid": (422, "Back-pay period invalid"),
    "restoration-other-suspension": (409, "The suspension has another cause"),
    "restoration-finding-confirmed": (409, "A finding confirmed meanwhile still stands"),
    "restoration-verification-open": (409, "Another verification of the person is open"),
    "restoration-release-invalid": (422, "Release date invalid"),
    "restoration-no-imprisonment": (409, "No imprisonment stands for the release to end"),
    "restoration-region-mismatch": (422, "Not the region of the record it restores"),
    "months-already-counted": (409, "These months were already back-paid or recovered"),
    "evidence-other-person": (409, "This evidence already certified another person"),
    "certification-not-cited": (409, "No certification counted rests on that record"),
    "restoration-amount-mismatch": (422, "Back-pay amount does not add up"),
    "bank-account-mismatch": (422, "Bank account differs from the account on file"),
    "bank-account-closed": (422, "The bank says the account is closed"),
    "bank-account-inconsistent": (422, "The bank says the account is not the pensioner's"),
    "bank-account-check-unavailable": (503, "The bank's account check is unavailable; retry"),
    "bank-account-check-failed": (502, "The bank refused the account check"),
    "invalid-period": (400, "Invalid period"),
    "identity-not-verified": (422, "The e-ID check did not confirm the person"),
    "identity-check-unavailable": (503, "The e-ID service is unavailable; retry"),
    "identity-check-failed": (502, "The e-ID service refused the check"),
    "identity-photo-invalid": (422, "The on-site photo must be a stored JPEG"),
    "overpayment-not-found": (404, "The task has no overpayment"),
    "recovery-exceeds-balance": (409, "More than what remains of the overpayment"),
    "recovery-date-invalid": (422, "Recovered before the overpaid period"),
    "recovery-already-recorded": (409, "This bank serial or receipt is already recorded"),
    "overpayment-settled": (409, "The overpayment is recovered or written off"),
    "write-off-pending": (409, "A write-off request is under review"),
    "write-off-amount-mismatch": (422, "A write-off covers exactly what remains"),
    "write-off-stale": (409, "Money was recovered after the write-off was asked for"),
    "rating-link-invalid": (404, "Not a rating link this hub issued"),
    "rating-invalid": (400, "A rating needs a score from 1 to 5"),
    "rating-not-ratable": (422, "Not a service that can be rated"),
    "rating-exists": (409, "This service has been rated already"),
    "rating-not-found": (404, "No such rating"),
    "rating-follow-up-closed": (409, "The rating has no open follow-up"),
    "rating-follow-up-invalid": (422, "A follow-up cannot predate its rating"),
}

# Signed messages and read tokens (the leaves of security.MessageError and security.TokenError).
SECURITY_PROBLEMS: Final[Mapping[str, tuple[int, str]]] = {
    "malformed-message": (400, "Malformed message"),
    "unknown-key": (401, "Unknown signing key"),
    "key-revoked": (401, "Signing key revoked"),
    "key-expired": (401, "Signing key expired"),
    "algorithm-mismatch": (400, "Algorithm does not match the key"),
    "sender-mismatch": (403, "Sender does not match the key"),
    "type-not-expected": (400, "Message type not expected here"),
    "type-not-allowed": (403, "Sender may not send this message type"),
    "signature-invalid": (401, "Invalid signature"),
    "clock-skew": (400, "Message time outside allowed clock skew"),
    "invalid-token": (401, "Invalid token"),
    "token-key-revoked": (401, "The read token's key is revoked"),
    "token-key-expired": (401, "The read token's key has expired"),
    "token-expired": (401, "Token expired"),
    "not-authorized": (403, "Not authorized to read"),
}

# Coordinators' enrolment (certhub.hub.enrolment) and area scopes.
ENROLMENT_PROBLEMS: Final[Mapping[str, tuple[int, str]]] = {
    "enrolment-code-invalid": (403, "Enrolment code unknown, used or expired"),
    "enrolment-request-invalid": (400, "Invalid enrolment request"),
    "enrolment-key-invalid": (400, "Enrolment key invalid"),
    "enrolment-rate-limited": (429, "Too many failed enrolment codes; retry later"),
    "reports-rate-limited": (429, "This key's reports in the last hour are at its bound"),
    "uploads-rate-limited": (429, "This coordinator's uploads in the last hour are at its bound"),
    "area-not-permitted": (403, "Outside the key's area or role"),
}

# The e-map (certhub.hub.service_points): anonymous, so every parameter is hostile.
SERVICE_POINT_PROBLEMS: Final[Mapping[str, tuple[int, str]]] = {
    "invalid-coordinates": (400, "Invalid coordinates"),
}

ALL_PROBLEMS: Final[Mapping[str, tuple[int, str]]] = MappingProxyType(
    {
        **EDGE_PROBLEMS,
        **EVIDENCE_PROBLEMS,
        **PROCEDURE_PROBLEMS,
        **SECURITY_PROBLEMS,
        **ENROLMENT_PROBLEMS,
        **SERVICE_POINT_PROBLEMS,
    }
)
"""Every problem certhub answers with; nothing outside it is ever sent."""

_NO_HEADERS: Final[Mapping[str, str]] = MappingProxyType({})


class Problem(Refusal):
    """A refusal in the catalogue's terms: its slug is checked at once, and it may set headers.

    Raised by the HTTP routes for their own refusals (a 405's ``Allow``, a
    429's ``Retry-After``); :func:`problem_for` turns any other exception
    into one.

    Raises:
        ValueError: ``slug`` is not in :data:`ALL_PROBLEMS` (a programming error).
    """

    def __init__(
        self,
        slug: str,
        detail: str,
        extensions: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if slug not in ALL_PROBLEMS:
            raise ValueError(f"unknown problem slug {slug!r}")
        super().__init__(slug, detail, extensions)
        self.headers: Mapping[str, str] = headers if headers is not None else _NO_HEADERS

    def __repr__(self) -> str:
        return f"Problem({self.slug!r}, {self.detail!r})"

    @property
    def status(self) -> int:
        """HTTP status of this problem."""
        return ALL_PROBLEMS[self.slug][0]

    @property
    def title(self) -> str:
        """Short human title of this problem type."""
        return ALL_PROBLEMS[self.slug][1]


def problem_for(exc: BaseException, *, where: str = "") -> Problem:
    """The problem an edge answers ``exc`` with: a refusal by its slug, anything else internal.

    A refusal whose slug is outside the catalogue (a key file or the trust
    store failing while a message is handled) and any other exception are
    the hub's own failure: logged (``where`` says what was being served) and
    answered ``internal-error``, never with their text.
    """
    if isinstance(exc, Problem):
        return exc
    if isinstance(exc, Refusal) and exc.slug in ALL_PROBLEMS:
        # Only bearer-token failures challenge the client (RFC 6750 §3).
        challenge = isinstance(exc, TokenError) and ALL_PROBLEMS[exc.slug][0] == 401
        headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'} if challenge else None
        return Problem(exc.slug, exc.detail, exc.extensions, headers)
    if isinstance(exc, StoreUnavailable):
        log.error("ledger unavailable: %s", exc)
        return Problem("store-unavailable", "the ledger cannot commit right now; retry")
    if isinstance(exc, Refusal):
        log.error("failure while serving %s: %s: %s", where or "a message", exc.slug, exc)
    else:
        log.error("unhandled error on %s", where or "a message", exc_info=exc)
    return Problem("internal-error", "the hub failed; the error was logged")
