"""Who a roster import may show paid after a termination, on both backends: the people whose
benefit the hub closed and whose roster entry is that import's (``sequence`` 0, its
``as_of``) — one query over the closed benefits (``certhub roster import``, rule 6)."""

from __future__ import annotations

from datetime import UTC, datetime

from ledger_backends import Ledger
from ledgerkit import message_series, receipt

from certhub.hub.store import RecordKind
from certhub.hub.store.effects import BenefitClosure, Effects, RosterWrite

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
AS_OF = "2026-11-30T00:00:00+08:00"
LATER = "2026-12-01T00:00:00+08:00"

message = message_series(
    T0, kind=RecordKind.CERTIFICATION, message_type="decision/v1", sender="county-1"
)


def row(person: str, as_of: str) -> tuple[object, ...]:
    """An import's row of ``person`` (its compact entry left empty: not read here)."""
    return (person, as_of, b"", "440103001001", "张三", "active", None)


async def test_only_closed_benefits_whose_entry_is_this_imports_are_named(
    ledger: Ledger,
) -> None:
    closures = [BenefitClosure(p, "death", f"t{p}") for p in ("P1", "P2", "P3", "P4")]
    for n, closure in enumerate(closures, 1):
        await ledger.append(message(n), receipt, Effects(closure=closure))
    # P2's entry came through POST /v1/roster (a ledger record): not an import's
    pushed = RosterWrite("P2", LATER, b"{}", "440103001001", "张三", "active", None)
    await ledger.append(message(5), receipt, Effects(roster=pushed))
    # P3 is imported as of another day; P4 is not on the roster; P0 and P5 are not closed
    await ledger.import_roster([row("P0", AS_OF), row("P1", AS_OF), row("P5", AS_OF)])
    await ledger.import_roster([row("P3", LATER)])
    await ledger.import_roster([row("P2", AS_OF)])  # older than the pushed entry: kept

    assert await ledger.closed_imported(AS_OF) == ["P1"]
    assert await ledger.closed_imported(LATER) == ["P3"]
    assert await ledger.closed_imported("2026-10-31T00:00:00+08:00") == []
