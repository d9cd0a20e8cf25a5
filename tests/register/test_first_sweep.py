"""The register's sweeps run soon after a process starts leading, not one interval later.

Suspension proposals are swept every six hours, reminders every hour. Before, a process
waited a whole interval before its first sweep, so a leader restarted (a deployment, a
move of the leader lock) more often than every six hours never proposed a suspension,
and one restarted hourly never reminded anyone. Now each first sweep comes
``FIRST_SWEEP_SECONDS`` (five minutes) after the start: shortened here so the test sees
it; the intervals stay as they are.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from procedure_fixtures import keys, office
from procedurekit import Office

from certhub.hub.register import suspensions
from certhub.hub.register.reminders import ReminderSweep
from certhub.hub.register.suspensions import ProposalSweep

__all__ = ["keys", "office"]  # the procedure fixtures


@pytest.fixture
def swept(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sweeps run, by name, with the first one due 0.2 s after a start (set before the
    hub starts: the fixture comes before ``office``)."""
    monkeypatch.setattr(suspensions, "FIRST_SWEEP_SECONDS", 0.2, raising=False)
    runs: list[str] = []

    async def proposals(self: Any) -> None:
        runs.append("proposals")

    async def reminders(self: Any) -> None:
        runs.append("reminders")

    monkeypatch.setattr(ProposalSweep, "sweep_now", proposals)
    monkeypatch.setattr(ReminderSweep, "sweep_now", reminders)
    return runs


async def test_a_new_leader_sweeps_within_minutes_not_hours(
    swept: list[str], office: Office
) -> None:
    deadline = time.monotonic() + 10
    while {"proposals", "reminders"} - set(swept):
        assert time.monotonic() < deadline, f"swept only {swept} in 10 s"
        await asyncio.sleep(0.05)
    assert suspensions.SWEEP_SECONDS == 6 * 3600  # the interval itself is unchanged
