"""What every planner needs: the store, evidence lookup, the outcome signer, a clock."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from certhub.hub.procedure.outcomes import OutcomeSigner
from certhub.hub.rules.decisions import Signer
from certhub.hub.rules.parties import PartyLookup
from certhub.hub.store import LedgerRecord, LedgerStore
from certhub.schemas import CertificationEvent, EvidenceRef, Refusal, Restoration, Role
from certhub.schemas.clock import CHINA_STANDARD_TIME
from certhub.security import TrustStore, VerifiedMessage

MissingEvidence = Callable[[Iterable[str]], Awaitable[set[str]]]
ReadEvidence = Callable[[str], Awaitable[bytes]]
IdentityCheck = Callable[[CertificationEvent, bytes, str], Awaitable[None]]
AccountCheckStep = Callable[[Restoration, str], Awaitable[None]]


@dataclass(frozen=True)
class ProcedureContext:
    """Shared collaborators of the planners."""

    store: LedgerStore
    missing_evidence: MissingEvidence
    outcomes: OutcomeSigner
    read_evidence: ReadEvidence | None = None
    identity_check: IdentityCheck | None = None  # None: the e-ID check is switched off
    identity_required: bool = True
    # the bank's check of the account a restoration names (None: no bank's service configured)
    account_check: AccountCheckStep | None = None
    # The sender id ("adapter:<name>") of the department playing the uplink role, if one
    # does: certifications go upward to it, except those it gave us itself.
    uplink_sender: str | None = None
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    parties: PartyLookup = field(default=lambda _sender: None)  # the trust store's parties
    # days to dispose of a task by kind (CERTHUB_TASK_DEADLINE_DAYS); unset kinds: defaults
    deadline_days: Mapping[str, int] = field(default_factory=dict)
    # the link an SMS carries to rate the service at a ledger sequence (None: no link)
    rating_link: Callable[[int], str] | None = None
    # whole months after the due month before an overdue pensioner is liable to suspension
    # (CERTHUB_REGISTER_GRACE_MONTHS): a restoration's "overdue" check reads them too
    grace_months: int = 0

    def today(self) -> date:
        """The hub's calendar day (China Standard Time): what "decided on" means."""
        return self.clock().astimezone(CHINA_STANDARD_TIME).date()

    async def item_record(self, item_id: int) -> LedgerRecord:
        """The ledger record of review item ``item_id``.

        Raises:
            Refusal: ``item-not-found``; the item row references its record, so only a
                corrupt ledger gets here.
        """
        record = await self.store.get_record(item_id)
        if record is None:
            raise Refusal("item-not-found", f"record {item_id} is missing")
        return record

    async def require_evidence(self, evidence: Iterable[EvidenceRef]) -> None:
        """Refuse references to evidence the hub does not hold."""
        digests = [item.sha256 for item in evidence]
        if not digests:
            return
        missing = await self.missing_evidence(digests)
        if missing:
            listed = ", ".join(sorted(missing))
            raise Refusal("evidence-missing", f"upload these first (POST /v1/evidence): {listed}")


def signer_of(message: VerifiedMessage) -> Signer:
    """The sender and its trust-store role (None when the entry has no valid role)."""
    role = message.trusted.role
    known = role is not None and role in Role.__members__
    return Signer(message.sender, Role(role) if known and role else None)


def party_in(store: TrustStore, sender: str) -> Signer | None:
    """``sender`` as a party of ``store`` (a key not revoked), or None."""
    return _parties(store).get(sender)


@functools.lru_cache(maxsize=4)  # a store is immutable; a reload makes a new one
def _parties(store: TrustStore) -> Mapping[str, Signer]:
    parties: dict[str, Signer] = {}
    for entry in store:
        if entry.revoked:
            continue
        known = entry.role is not None and entry.role in Role.__members__
        role = Role(entry.role) if known and entry.role else None
        if parties.get(entry.sender, Signer(entry.sender, None)).role is None:
            parties[entry.sender] = Signer(entry.sender, role)
    return parties
