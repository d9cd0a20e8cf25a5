"""Ledger keys that make money effects happen at most once (issue 13).

* ``benefit_months`` — (person, purpose, month): a month is back-paid by one
  restoration and recovered by one overpayment, never twice (a voided
  overpayment's months are freed: refunded, they are recovered no more); purpose
  ``resumed`` keeps the month each restoration resumes payment in (one per month),
  which no later restoration of the same suspension back-pays;
* ``closed_benefits`` — one termination per person: a terminated benefit
  stays terminated, unless a restoration of a termination its departments
  voided is approved (the row is deleted; the ledger keeps both records);
* ``evidence_people`` — an ID image or on-site photo certifies one person.

The statements are portable (SQLite's ``?``; PostgreSQL numbers them) and a
violation becomes a :class:`~certhub.hub.store.base.Conflict` with its own slug,
never a 500.
"""

from __future__ import annotations

from typing import Final, Literal

from typing_extensions import override

from certhub.hub.store.base import BenefitReads, Conflict
from certhub.hub.store.effects import BenefitClosure, EvidenceBinding, MonthsClaim
from certhub.hub.store.sql_transport import SqlReads

CLAIM_MONTH: Final = (
    "INSERT INTO benefit_months (person_id, purpose, month, source, sequence)"
    " VALUES (?, ?, ?, ?, ?)"
)
RELEASE_MONTHS: Final = (
    "DELETE FROM benefit_months WHERE source = ? AND purpose IN ('back_paid', 'resumed')"
)
"""A rejected restoration pays nothing and resumes nothing: its months are free again."""
_RESUMED_FROM: Final = """
    FROM ledger LEFT JOIN items ON items.item_id = ledger.sequence
    WHERE ledger.message_type = 'restoration/v1' AND ledger.person_id IS NOT NULL
    AND (ledger.kind = 'outcome' OR items.status != 'rejected')
    ORDER BY ledger.sequence
"""
RESUMED_BACKFILL: Final[dict[Literal["sqlite", "postgres"], str]] = {
    "sqlite": """
    INSERT OR IGNORE INTO benefit_months (person_id, purpose, month, source, sequence)
        SELECT ledger.person_id, 'resumed',
            substr(json_extract(CAST(ledger.payload AS TEXT), '$.restore_from'), 1, 7),
            CAST(ledger.sequence AS TEXT), ledger.sequence"""
    + _RESUMED_FROM,
    "postgres": """
    INSERT INTO benefit_months (person_id, purpose, month, source, sequence)
        SELECT ledger.person_id, 'resumed',
            left(convert_from(ledger.payload, 'UTF8')::jsonb ->> 'restore_from', 7),
            ledger.sequence::text, ledger.sequence"""
    + _RESUMED_FROM
    + " ON CONFLICT DO NOTHING",
}
"""The month each restoration recorded before ``resumed`` was kept resumes payment in: a
staff-filed ``restoration/v1`` not rejected (its own sequence is the source, as its
``back_paid`` months') and one the hub signed on approving a proposal. A proposal approved
with no month to back-pay signed none, so its month is not recovered here."""
APPROVED_BACK_PAY: Final = (
    "SELECT b.month FROM benefit_months b LEFT JOIN items i ON b.source = CAST(i.item_id AS TEXT)"
    " WHERE b.person_id=? AND b.purpose='back_paid' AND (i.status IS NULL OR i.status='approved')"
)
"""Months paid besides the roster's ``paid_through``: back-paid by approved restorations (a
staff request's months name its own item, its sequence; those of the hub's restoration the
approved proposal's item) and paid after the end of sentence an imprisonment's confirmation
stated (they name the task, no item)."""
RELEASE_RECOVERED: Final = "DELETE FROM benefit_months WHERE source = ? AND purpose = 'recovered'"
"""A voided overpayment recovers nothing: its months are free for a later (true) death's."""
CLOSE_BENEFIT: Final = (
    "INSERT INTO closed_benefits (person_id, reason, task_id, sequence) VALUES (?, ?, ?, ?)"
)
LIFT_CLOSURE: Final = "DELETE FROM closed_benefits WHERE person_id = ? AND task_id = ?"
BIND_EVIDENCE: Final = (
    "INSERT INTO evidence_people (sha256, person_id, sequence) VALUES (?, ?, ?)"
    " ON CONFLICT (sha256) DO NOTHING"
)
BOUND_PERSON: Final = "SELECT person_id FROM evidence_people WHERE sha256 = ?"


def months_taken(claim: MonthsClaim) -> Conflict:
    """The refusal of a month counted twice."""
    if claim.purpose == "resumed":
        return Conflict(
            "months-already-counted",
            f"another restoration of this person already resumes payment in {claim.months[0]}",
        )
    what = "back-paid" if claim.purpose == "back_paid" else "recovered"
    return Conflict(
        "months-already-counted",
        f"a month of {claim.months[0]}..{claim.months[-1]} is already {what} for this person",
    )


def already_closed(closure: BenefitClosure) -> Conflict:
    """The refusal of a second termination."""
    return Conflict("conflict", f"the benefit was terminated meanwhile (task {closure.task_id})")


def closure_changed(closure: BenefitClosure) -> Conflict:
    """The refusal of lifting a termination that is no longer the one checked."""
    return Conflict("conflict", f"the termination by task {closure.task_id} changed meanwhile")


def other_person(binding: EvidenceBinding) -> Conflict:
    """The refusal of evidence that already certified someone else."""
    return Conflict(
        "evidence-other-person",
        f"evidence {binding.sha256[:12]}… already certified another person; "
        "each certification has its own evidence",
    )


class BackPayReads(BenefitReads, SqlReads):
    """The months approved restorations back-paid (both dialects; the dialect's ``_read``)."""

    @override
    async def back_paid_months(self, person_id: str) -> frozenset[str]:
        rows = await self._read(APPROVED_BACK_PAY, (person_id,))
        return frozenset(str(row[0]) for row in rows)
