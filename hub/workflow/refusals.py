"""Refusals of the procedure rules: one stable problem slug per rule broken."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

# slug -> (HTTP status, title); merged into the API's problem catalogue.
WORKFLOW_PROBLEMS: Final[Mapping[str, tuple[int, str]]] = {
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
    "restoration-not-suspended": (409, "The benefit is not suspended"),
    "restoration-no-roster": (409, "The person has no roster entry"),
    "restoration-period-invalid": (422, "Back-pay period invalid"),
    "months-already-counted": (409, "These months were already back-paid or recovered"),
    "evidence-other-person": (409, "This evidence already certified another person"),
    "restoration-amount-mismatch": (422, "Back-pay amount does not add up"),
    "bank-account-mismatch": (422, "Bank account differs from the account on file"),
    "invalid-period": (400, "Invalid period"),
    "identity-not-verified": (422, "The e-ID check did not confirm the person"),
    "identity-check-unavailable": (503, "The e-ID service is unavailable; retry"),
    "identity-check-failed": (502, "The e-ID service refused the check"),
    "identity-photo-invalid": (422, "The on-site photo must be a stored JPEG"),
}


class Refusal(Exception):
    """A procedure rule refuses the request; nothing is stored or changed."""

    def __init__(self, slug: str, detail: str) -> None:
        """Refuse with problem ``slug`` (a key of :data:`WORKFLOW_PROBLEMS`)."""
        if slug not in WORKFLOW_PROBLEMS:
            raise ValueError(f"unknown refusal slug {slug!r}")
        super().__init__(detail)
        self.slug = slug
        self.detail = detail
