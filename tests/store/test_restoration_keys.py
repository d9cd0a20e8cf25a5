"""On both backends: a person's confirmed tasks in change order, and a rejected
restoration's ``resumed`` month freed with its ``back_paid`` months."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ledger_backends import Ledger
from ledgerkit import receipt, unsigned_message

from certhub.hub.store.effects import Effects, MonthsClaim, TaskWrite

T0 = datetime(2028, 2, 29, 8, 0, tzinfo=UTC)


def step(task_id: str, person: str, status: str, version: int | None) -> Effects:
    """One task's write: ``status`` of ``person``'s task ``task_id``."""
    write = TaskWrite(
        task_id=task_id,
        person_id=person,
        kind="imprisonment",
        status=status,
        county="440103",
        village=None,
        snapshot=f'{{"id":"{task_id}","status":"{status}"}}'.encode(),
        expected_version=version,
    )
    return Effects(tasks=(write,))


async def appended(ledger: Ledger, n: int, effects: Effects) -> int:
    message = unsigned_message(n, received_at=T0 + timedelta(seconds=n))
    return (await ledger.append(message, receipt, effects)).record.sequence


async def test_confirmed_tasks_of_a_person_in_change_order(ledger: Ledger) -> None:
    await appended(ledger, 1, step("b", "P1", "open", None))
    await appended(ledger, 2, step("a", "P2", "open", None))
    confirmed_b = await appended(ledger, 4, step("b", "P1", "confirmed", 0))
    await appended(ledger, 5, step("a", "P2", "confirmed", 0))  # another person's
    await appended(ledger, 6, step("d", "P1", "open", None))  # open: not confirmed
    assert [(r.task_id, r.changed_seq) for r in await ledger.confirmed_tasks("P1")] == [
        ("b", confirmed_b)
    ]
    await appended(ledger, 7, step("d", "P1", "cleared", 0))
    assert [r.task_id for r in await ledger.confirmed_tasks("P1")] == ["b"]
    assert [r.task_id for r in await ledger.confirmed_tasks("P3")] == []


async def test_a_rejected_restoration_frees_its_resumed_month(ledger: Ledger) -> None:
    claims = (
        MonthsClaim("P1", "back_paid", ("2028-01", "2028-02")),
        MonthsClaim("P1", "resumed", ("2028-03",)),
    )
    item = await appended(ledger, 1, Effects(months=claims))
    assert await ledger.counted_months("P1", "resumed") == {"2028-03"}
    await appended(ledger, 2, Effects(release_months=(str(item),)))
    assert await ledger.counted_months("P1", "resumed") == frozenset()
    assert await ledger.counted_months("P1", "back_paid") == frozenset()
