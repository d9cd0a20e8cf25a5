"""On both backends: reports under review held to their deadline, boundaries in China time.

A report is to be decided ``CERTHUB_REPORT_REVIEW_DAYS`` (15) days after it was filed (the
ledger's ``received_at``); ``CERTHUB_TASK_REMINDER_DAYS`` (5) before, the level deciding it
next is reminded; once past, the level above is told. Filed at 23:30 China time on
2027-01-31 (a month's last day; 15:30 UTC), the report is due at 23:30 China time on
2027-02-15, reminded from 23:30 on 2027-02-10. One filed at 23:30 on 2027-02-13 is due at
23:30 on 2027-02-28 (the month's last day): at 00:00 on 2027-03-01 China time — still
2027-02-28 in UTC — it is overdue. The sweep marks; it never decides or changes a report,
and finds the undecided reports through ``items_reports_undecided``.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from ledger_backends import Backend, Ledger
from ledgerkit import receipt, unsigned_message
from plankit import query_plan
from prometheus_client import CollectorRegistry

from certhub.hub.procedure.deadlines import DeadlineSweep
from certhub.hub.procedure.outcomes import OutcomeSigner
from certhub.hub.store import Conflict, PageQuery, RecordKind, deadlines
from certhub.hub.store.effects import DeadlineWrite, Effects, ItemOpen, ItemUpdate
from certhub.hub.store.postgres.schema import dollar
from certhub.mocks.population import Population
from certhub.monitoring.metrics import HubMetrics
from certhub.schemas import CHINA_STANDARD_TIME
from certhub.security import SigningKey

KEY = SigningKey.generate()


def cst(day: str, clock: str = "23:30:00") -> datetime:
    """``day`` at ``clock``, China Standard Time."""
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=CHINA_STANDARD_TIME)


def sweep(ledger: Ledger) -> DeadlineSweep:
    """The sweep over ``ledger``: 15 days to decide a report, reminded 5 before."""
    outcomes = OutcomeSigner(lambda: KEY, hub_id="hub")
    metrics = HubMetrics(CollectorRegistry())
    return DeadlineSweep(ledger, outcomes, metrics, reminder_days=5, review_days=15)


async def filed(ledger: Ledger, n: int, at: datetime, reason: str = "death") -> int:
    """The ``n``-th report, a ``reason`` report filed at ``at`` and not decided: its item."""
    person = Population(seed=n).person()
    payload = Population(seed=n).eligibility_report() | {"reason": reason, "person": person}
    message = unsigned_message(
        n,
        received_at=at.astimezone(UTC),  # as the hub's clock gives it
        payload=json.dumps(payload).encode(),
        person_id=person["id_number"],
        county=person["region"]["county"],
        reason=reason,
    )
    made = await ledger.append(message, receipt, Effects(item=ItemOpen("report")))
    return int(made.record.sequence)


async def decided(ledger: Ledger, n: int, item: int, status: str, version: int = 0) -> None:
    """``item`` moved to ``status`` by the ``n``-th message (a decision)."""
    update = ItemUpdate(item, version, status, "town-1", None if status == "accepted" else "c")
    decision = unsigned_message(n, kind=RecordKind.DECISION, message_type="decision/v1")
    await ledger.append(decision, receipt, Effects(item_update=update))


async def notices(ledger: Ledger) -> list[dict[str, Any]]:
    """The ``report_deadline/v1`` records the hub signed, oldest first."""
    records = await ledger.page_all(0, 1000)
    return [json.loads(r.payload) for r in records if r.message_type == "report_deadline/v1"]


def overdue(hub: DeadlineSweep, reason: str = "death") -> float:
    metric = hub.metrics.reports_under_review_overdue.labels(reason=reason)
    return float(metric._value.get())


async def test_a_report_filed_on_a_months_last_day_is_reminded_then_escalated_once_each(
    ledger_factory: Backend,
) -> None:
    ledger = await ledger_factory.open()
    item = await filed(ledger, 1, cst("2027-01-31"))
    hub = sweep(ledger)
    assert await hub.sweep(cst("2027-02-10", "23:29:59")) == 0  # 5 days and 1 s before
    assert await hub.sweep(cst("2027-02-10")) == 1  # 5 days before: reminded
    assert await hub.sweep(cst("2027-02-14")) == 0  # the day before: reminded once
    (reminder,) = await notices(ledger)
    assert (reminder["stage"], reminder["addressed_to"], reminder["status"]) == (
        "reminder",
        "town",
        "received",
    )
    assert datetime.fromisoformat(reminder["due_at"]) == cst("2027-02-15")
    assert datetime.fromisoformat(reminder["filed_at"]) == cst("2027-01-31")
    assert reminder["item"] == str(item)

    due = cst("2027-02-15")
    assert await hub.sweep(due) == 0  # the moment it is due: not overdue yet
    assert overdue(hub) == 0
    assert (
        await ledger.list_report_deadlines(PageQuery(0, 10), filed_before=due - timedelta(15)) == []
    )
    # two processes sweeping at once, a second after: the escalation is recorded by one only
    late = due + timedelta(seconds=1)
    counts = await asyncio.gather(hub.sweep(late), sweep(ledger).sweep(late))
    assert sorted(counts) == [0, 1]
    _, escalation = await notices(ledger)
    assert (escalation["stage"], escalation["addressed_to"]) == ("escalated", "county")
    assert overdue(hub) == 1
    assert await hub.sweep(late + timedelta(days=30)) == 0
    actions = [(e.action, e.subject) for e in await ledger.audit_entries(0, 1000)]
    assert actions.count(("report_reminded", str(item))) == 1
    assert actions.count(("report_escalated", str(item))) == 1
    (row,) = await ledger.list_report_deadlines(PageQuery(0, 10), filed_before=late - timedelta(15))
    assert (row.item_id, row.status, row.reminded_at, row.escalated_at) == (
        item,
        "received",  # the sweep never decides it
        cst("2027-02-10").timestamp(),
        late.timestamp(),
    )
    await ledger.aclose()


async def test_a_deadline_on_a_months_last_day_passes_at_midnight_china_time(
    ledger_factory: Backend,
) -> None:
    ledger = await ledger_factory.open()
    item = await filed(ledger, 1, cst("2027-02-13"), reason="imprisonment")
    await decided(ledger, 2, item, "accepted")  # the county is to decide it now
    hub = sweep(ledger)
    midnight = cst("2027-03-01", "00:00:00")
    assert midnight.astimezone(UTC).date().isoformat() == "2027-02-28"  # still February in UTC
    assert await hub.sweep(cst("2027-02-28")) == 1  # due this very moment: a reminder only
    assert await hub.sweep(midnight) == 1  # 30 minutes past due
    reminder, escalation = await notices(ledger)
    assert (reminder["stage"], reminder["addressed_to"]) == ("reminder", "county")
    assert (escalation["stage"], escalation["addressed_to"]) == ("escalated", "city")
    assert overdue(hub, "imprisonment") == 1
    assert overdue(hub, "death") == 0
    await ledger.aclose()


async def test_a_report_past_due_never_reminded_is_escalated_not_reminded_late(
    ledger_factory: Backend,
) -> None:
    ledger = await ledger_factory.open()
    await filed(ledger, 1, cst("2027-02-13"))
    hub = sweep(ledger)
    assert await hub.sweep(cst("2027-03-01", "00:00:00")) == 1
    assert await hub.sweep(cst("2027-03-02")) == 0
    assert [n["stage"] for n in await notices(ledger)] == ["escalated"]
    await ledger.aclose()


@pytest.mark.parametrize("status", ["approved", "rejected"])
async def test_a_report_decided_before_its_deadline_is_never_escalated(
    ledger_factory: Backend, status: str
) -> None:
    ledger = await ledger_factory.open()
    item = await filed(ledger, 1, cst("2027-01-31"))
    hub = sweep(ledger)
    assert await hub.sweep(cst("2027-02-11")) == 1  # reminded
    await decided(ledger, 2, item, "accepted")
    await decided(ledger, 3, item, status, version=1)
    size = await ledger.count()
    assert await hub.sweep(cst("2027-02-16")) == 0
    assert await hub.sweep(cst("2027-06-30")) == 0
    assert await ledger.count() == size
    assert [n["stage"] for n in await notices(ledger)] == ["reminder"]
    assert await ledger.list_report_deadlines(PageQuery(0, 10)) == []
    assert overdue(hub) == 0
    # an escalation planned before the decision landed is refused whole: nothing stored
    late = DeadlineWrite(str(item), "escalate", cst("2027-02-16").timestamp(), subject="report")
    with pytest.raises(Conflict):
        await ledger.append(unsigned_message(4), receipt, Effects(deadlines=(late,)))
    assert await ledger.count() == size
    await ledger.aclose()


async def test_the_sweep_reads_only_the_undecided_reports_by_their_index(
    ledger_factory: Backend,
) -> None:
    await ledger_factory.create()
    sql = (
        f"{deadlines.SELECT_REPORTS} WHERE {deadlines.UNDECIDED}"
        " AND ((report_deadlines.reminded_at IS NULL AND ledger.received_at <= ?)"
        " OR (report_deadlines.escalated_at IS NULL AND ledger.received_at < ?))"
        " ORDER BY items.item_id LIMIT 500"
    )  # ReviewReads.reports_due's query
    filed_by = cst("2027-02-10").astimezone(UTC).isoformat()
    found = await query_plan(ledger_factory, sql, dollar(sql), filed_by, filed_by)
    assert "items_reports_undecided" in found, found
