"""The register's sweeps run by two hub processes at once on one PostgreSQL: each reminder and
each suspension proposal recorded once. Found correct; kept as the check of what the
deployment relies on.

Leadership is a courtesy, not a fence (``hub/core/leader.py``): a leader cut off from the
database may sweep on for a moment while another process, leading now, sweeps too. Both
read the same people due before either writes. A reminder's slot is claimed on the
person's register row in the write itself (``hub/store/register_reminders.py``: the claim
changes the row or nothing is written), so the second sweep sends nothing; a suspension
proposal is a hub record under one id per person and cycle, so the second is the same id
with other bytes (its own ``proposed_at``) and is dropped. Five pensioners due next month:
five reminders, not ten (an SMS each, twice). Three overdue since M(-2): three proposals,
not six (each a suspension for the county to approve twice: 238.00 a month stopped for each).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from latekit import label
from procedure_fixtures import keys
from procedurekit import Office, month_day, today
from racekit import hub_processes
from reminderkit import due_next_month, named, relaying_nothing

from certhub.hub.core.keys import PROCEDURE, STORE
from certhub.hub.register.reminders import ReminderSweep
from certhub.hub.register.suspensions import ProposalSweep

__all__ = ["keys"]  # the parties' keys (procedure_fixtures)


async def test_two_processes_sweeping_at_once_remind_and_propose_once(
    aiohttp_client: Callable[..., Any], tmp_path: Path, keys: dict[str, Any]
) -> None:
    processes = hub_processes(
        aiohttp_client, tmp_path, keys, ("one", "other"), "certhub_sweeps", **relaying_nothing()
    )
    async with processes as (one, other):
        await _swept_twice(one, other)


async def _swept_twice(one: Office, other: Office) -> None:
    due = await due_next_month(one, 5)
    overdue = [one.people.person() for _ in range(3)]
    for person in overdue:  # due M(-3), liable from the 1st of M(-2)
        await one.roster(person, paid_through=label(-3))
        await one.certified_in_app(person, f"{label(-15)}-15T10:00:00+08:00")
    apps = one.client.app, other.client.app

    reminded = await asyncio.gather(
        *(ReminderSweep(app[STORE], per_cycle=2).sweep(today()) for app in apps)
    )
    assert sum(reminded) == 5, reminded  # 10 if both sent
    notices = await apps[0][STORE].pending_notices(1000)
    reminders = sorted(named(n[0], n[1]) for n in notices if n[0].startswith("reminder:"))
    due_month = f"{month_day(1):%Y-%m}"  # its slot 1 opens this month
    assert reminders == sorted(f"reminder:{due_month}:1:{p['id_number']}" for p in due)

    proposed = await asyncio.gather(
        *(
            ProposalSweep(app[STORE], app[PROCEDURE].outcomes, grace_months=0).sweep(today())
            for app in apps
        )
    )
    assert sum(proposed) == 3, proposed  # 6 if both proposed
    status, page = await one.get("/v1/outcomes", limit="1000")
    assert status == 200, page
    people = sorted(
        p["payload"]["person"]["id_number"]
        for p in page["items"]
        if p["type"] == "suspension_proposal/v1"
    )
    assert people == sorted(p["id_number"] for p in overdue)
