"""A deadline escalated without a reminder (past due at the first sweep that saw it: the hub
down over the reminder's days, a task opened before deadlines existed) no longer hides the
deadlines behind it, on SQLite and PostgreSQL.

The sweep reads a batch of the deadlines due a reminder or an escalation, oldest first, and
reads again while a batch records something. Before, one escalated and never reminded still
matched "due a reminder" for ever: once a batch held only such rows it recorded nothing and
the sweep stopped — three tasks (or reports) past due, a batch of two: the third was never
escalated, at that sweep or any later one (at the hub's batch of 500, the 501st).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from deadlinekit import signed_records
from procedurekit import Office

from certhub.hub.procedure import deadlines, report_deadlines
from certhub.hub.procedure.deadlines import DeadlineSweep

from .test_report_deadlines import filed
from .test_task_deadlines import open_task


@pytest.fixture
def batch_of_two(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sweep's batch, two rows instead of 500 (the same code path, three rows enough)."""
    monkeypatch.setattr(deadlines, "BATCH", 2)
    monkeypatch.setattr(report_deadlines, "BATCH", 2)


@pytest.mark.usefixtures("batch_of_two")
async def test_every_task_past_due_is_escalated(office_db: Office) -> None:
    opened = [datetime.fromisoformat((await open_task(office_db))["opened_at"]) for _ in "abc"]
    late = max(opened) + timedelta(days=31)  # a death: due 30 days after opening
    hub = DeadlineSweep.of(office_db.client.app)
    assert await hub.sweep(late) == 3  # before: 2
    assert await hub.sweep(late + timedelta(days=1)) == 0
    escalated = await signed_records(office_db, "task_deadline/v1")
    assert sorted(r["stage"] for r in escalated) == ["escalated"] * 3


@pytest.mark.usefixtures("batch_of_two")
async def test_every_report_past_due_is_escalated(office_db: Office) -> None:
    at = [(await filed(office_db))[1] for _ in "abc"]
    late = max(at) + timedelta(days=16)  # 15 days to decide
    hub = DeadlineSweep.of(office_db.client.app)
    assert await hub.sweep(late) == 3  # before: 2
    assert await hub.sweep(late + timedelta(days=1)) == 0
    escalated = await signed_records(office_db, "report_deadline/v1")
    assert sorted(r["stage"] for r in escalated) == ["escalated"] * 3
