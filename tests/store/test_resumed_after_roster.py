"""On both backends: which ``resumed`` months were recorded after the person's roster entry.

A restoration's resumed month recorded after the hub's roster entry tells the rule that
the suspension the entry shows was the one that restoration ended (rules.restoration
check_resumed); a later roster entry (newer ``as_of``) makes it the province's later word.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ledger_backends import Ledger
from ledgerkit import receipt, unsigned_message

from certhub.hub.store.effects import Effects, ItemOpen, ItemUpdate, MonthsClaim, RosterWrite

T0 = datetime(2028, 2, 29, 8, 0, tzinfo=UTC)


async def appended(ledger: Ledger, n: int, effects: Effects) -> int:
    message = unsigned_message(n, received_at=T0 + timedelta(seconds=n))
    return (await ledger.append(message, receipt, effects)).record.sequence


def entry(person: str, as_of: str) -> Effects:
    return Effects(roster=RosterWrite(person, as_of, b'{"status":"suspended"}'))


async def test_resumed_months_after_the_roster_entry(ledger: Ledger) -> None:
    await appended(ledger, 1, Effects(months=(MonthsClaim("P1", "resumed", ("2028-01",)),)))
    assert await ledger.resumed_after_roster("P1") == {"2028-01"}  # no entry yet: all
    await appended(ledger, 2, entry("P1", "2028-02-10"))
    await appended(ledger, 3, Effects(months=(MonthsClaim("P1", "resumed", ("2028-02",)),)))
    await appended(ledger, 4, Effects(months=(MonthsClaim("P2", "resumed", ("2028-02",)),)))
    assert await ledger.counted_months("P1", "resumed") == {"2028-01", "2028-02"}
    assert await ledger.resumed_after_roster("P1") == {"2028-02"}
    await appended(ledger, 5, entry("P1", "2028-02-29"))  # the province's next entry
    assert await ledger.resumed_after_roster("P1") == frozenset()
    assert await ledger.resumed_after_roster("P2") == {"2028-02"}  # P2 has no entry


async def test_resumed_months_after_a_record(ledger: Ledger) -> None:
    jan = MonthsClaim("P1", "resumed", ("2028-01",))
    first = await appended(ledger, 1, Effects(months=(jan,)))
    await appended(ledger, 2, Effects(months=(MonthsClaim("P2", "resumed", ("2028-02",)),)))
    third = await appended(ledger, 3, Effects(months=(MonthsClaim("P1", "resumed", ("2028-03",)),)))
    assert await ledger.resumed_after("P1", 0) == {"2028-01", "2028-03"}
    assert await ledger.resumed_after("P1", first) == {"2028-03"}
    assert await ledger.resumed_after("P1", third) == frozenset()
    assert await ledger.resumed_after("P2", first) == {"2028-02"}


async def test_resumed_months_of_restorations_approved_only(ledger: Ledger) -> None:
    filed = Effects(
        item=ItemOpen("restoration"), months=(MonthsClaim("P1", "resumed", ("2028-04",)),)
    )
    item = await appended(ledger, 1, filed)
    assert await ledger.resumed_after("P1", 0) == frozenset()  # pending: ends nothing yet
    accepted = ItemUpdate(item, 0, "accepted", "town-1", None)
    await appended(ledger, 2, Effects(item_update=accepted))
    assert await ledger.resumed_after("P1", 0) == frozenset()
    approved = ItemUpdate(item, 1, "approved", "town-1", "county-1")
    await appended(ledger, 3, Effects(item_update=approved))
    assert await ledger.resumed_after("P1", 0) == {"2028-04"}
    assert await ledger.resumed_after("P1", item) == frozenset()
