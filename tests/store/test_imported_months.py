"""Months a roster import shows paid, claimed with no ledger record, on both backends: only
while the person's entry is still the one they were read from, never a month twice, each
month claimed audited (``certhub roster import``, the months paid after a stated end of
sentence when the entry adds no overpayment); and a decision planned on the entry an import
replaces meanwhile is refused, as when a pushed entry replaces it."""

from __future__ import annotations

import pytest
from ledger_backends import Ledger
from ledgerkit import T0, message_series, receipt

from certhub.hub.store import Conflict, RecordKind
from certhub.hub.store.effects import BenefitClosure, Effects, MonthsClaim

AS_OF = "2026-11-30T00:00:00+08:00"
LATER = "2026-12-01T00:00:00+08:00"
ACTOR = "cli:roster-import"


def row(person: str, as_of: str, entry: bytes) -> tuple[object, ...]:
    """An import's row of ``person`` whose compact entry is ``entry``."""
    return (person, as_of, entry, "440103001001", "张三", "active", None)


async def claimed(ledger: Ledger) -> tuple[frozenset[str], list[str]]:
    """P1's months claimed paid, and the subjects of the claims' audit entries."""
    entries = await ledger.audit_entries(0, 1000)
    audited = [e.subject for e in entries if e.action == "roster_months_claimed"]
    return await ledger.counted_months("P1", "back_paid"), audited


async def test_months_are_claimed_while_the_entry_is_the_one_read(ledger: Ledger) -> None:
    await ledger.import_roster([row("P1", AS_OF, b"entry-1")])
    read = (await ledger.person_guard("P1")).roster
    assert read == b"entry-1"
    june_july = MonthsClaim("P1", "back_paid", ("2026-06", "2026-07"), "t1")

    # the entry changed since it was read: nothing claimed, nothing audited
    assert await ledger.claim_imported_months([june_july], b"entry-0", ACTOR) == 0
    assert await claimed(ledger) == (frozenset(), [])

    assert await ledger.claim_imported_months([june_july], read, ACTOR) == 2
    # again, and a month further: only the month not claimed yet
    july_august = MonthsClaim("P1", "back_paid", ("2026-07", "2026-08"), "t1")
    assert await ledger.claim_imported_months([july_august], read, ACTOR) == 1
    months = frozenset({"2026-06", "2026-07", "2026-08"})
    subjects = ["P1 back_paid 2026-06", "P1 back_paid 2026-07", "P1 back_paid 2026-08"]
    assert await claimed(ledger) == (months, subjects)

    # a newer entry imported: the months read from the old one are not claimed
    await ledger.import_roster([row("P1", LATER, b"entry-2")])
    later = MonthsClaim("P1", "back_paid", ("2026-09",), "t1")
    assert await ledger.claim_imported_months([later], read, ACTOR) == 0
    assert await claimed(ledger) == (months, subjects)


message = message_series(
    T0, kind=RecordKind.CERTIFICATION, message_type="task_transition/v1", sender="county-1"
)


async def test_a_decision_planned_before_an_import_replaced_the_entry_is_refused(
    ledger: Ledger,
) -> None:
    """A confirmation counts the overpaid months from the roster entry it read: an import
    committing a newer entry between its reads and its append refuses it (nothing stored),
    so it is planned again on the imported ``paid_through``."""
    await ledger.import_roster([row("P1", AS_OF, b"entry-1")])
    read = await ledger.person_guard("P1")
    await ledger.import_roster([row("P1", LATER, b"entry-2")])  # committed meanwhile
    closing = Effects(closure=BenefitClosure("P1", "death", "t1"), person_guard=read)
    with pytest.raises(Conflict):
        await ledger.append(message(1), receipt, closing)
    assert (await ledger.closed_benefit("P1"), await ledger.count()) == (None, 0)
    fresh = Effects(
        closure=BenefitClosure("P1", "death", "t1"), person_guard=await ledger.person_guard("P1")
    )
    await ledger.append(message(1), receipt, fresh)
    assert await ledger.closed_benefit("P1") == ("death", "t1")
