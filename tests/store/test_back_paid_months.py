"""On both backends: the months restorations *approved* back-paid a person.

A death confirmed after a restoration back-paid months after it recovers those months
(rules.disposal overpaid), whatever the hub's roster entry still says: they were paid.
A restoration still under review, or rejected, paid nothing (a rejected one frees its
months); the hub's own restoration counts from its proposal's approval, whose item its
months name.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from ledger_backends import Ledger
from ledgerkit import receipt, unsigned_message

from certhub.hub.store.base import Conflict
from certhub.hub.store.effects import Effects, ItemOpen, ItemUpdate, MonthsClaim

T0 = datetime(2027, 12, 31, 8, 0, tzinfo=UTC)


async def appended(ledger: Ledger, n: int, effects: Effects) -> int:
    message = unsigned_message(n, received_at=T0 + timedelta(seconds=n))
    return (await ledger.append(message, receipt, effects)).record.sequence


async def decided(ledger: Ledger, n: int, item: int, version: int, status: str) -> None:
    """Item ``item`` (at ``version``) accepted by town staff, or decided by the county."""
    update = ItemUpdate(item, version, status, "town-1", "county-1" if version else None)
    await appended(ledger, n, Effects(item_update=update))


async def test_back_paid_months_of_approved_restorations_only(ledger: Ledger) -> None:
    winter = ("2027-12", "2028-01", "2028-02")
    filed = Effects(item=ItemOpen("restoration"), months=(MonthsClaim("P1", "back_paid", winter),))
    staff = await appended(ledger, 1, filed)
    assert await ledger.counted_months("P1", "back_paid") == set(winter)
    assert await ledger.back_paid_months("P1") == frozenset()  # under review: unpaid
    await decided(ledger, 2, staff, 0, "accepted")
    assert await ledger.back_paid_months("P1") == frozenset()
    await decided(ledger, 3, staff, 1, "approved")
    assert await ledger.back_paid_months("P1") == set(winter)

    # the hub's restoration: its months name the proposal's item, approved with them
    proposal = await appended(ledger, 10, Effects(item=ItemOpen("restoration_proposal")))
    await decided(ledger, 11, proposal, 0, "accepted")
    march = MonthsClaim("P1", "back_paid", ("2028-03",), str(proposal))
    approval = ItemUpdate(proposal, 1, "approved", "town-1", "county-1")
    await appended(ledger, 12, Effects(item_update=approval, months=(march,)))
    assert await ledger.back_paid_months("P1") == {*winter, "2028-03"}
    assert await ledger.back_paid_months("P2") == frozenset()


async def test_a_rejected_restoration_back_paid_nothing(ledger: Ledger) -> None:
    filed = Effects(
        item=ItemOpen("restoration"), months=(MonthsClaim("P2", "back_paid", ("2028-02",)),)
    )
    item = await appended(ledger, 1, filed)
    await decided(ledger, 2, item, 0, "accepted")
    await decided(ledger, 3, item, 1, "rejected")
    assert await ledger.back_paid_months("P2") == frozenset()


async def test_months_paid_after_a_stated_sentence_count_as_paid(ledger: Ledger) -> None:
    # an imprisonment's confirmation claims them under its task (no item): paid regularly
    served = ("2026-06", "2026-07")
    claim = MonthsClaim("P3", "back_paid", served, "task-41")
    await appended(ledger, 1, Effects(months=(claim,)))
    assert await ledger.back_paid_months("P3") == set(served)
    # a restoration back-paying one of them is refused: the month is paid already
    again = MonthsClaim("P3", "back_paid", ("2026-07",))
    with pytest.raises(Conflict) as refused:
        await appended(ledger, 2, Effects(item=ItemOpen("restoration"), months=(again,)))
    assert refused.value.slug == "months-already-counted"
    assert await ledger.back_paid_months("P3") == set(served)
