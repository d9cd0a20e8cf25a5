"""The public disclosure is read with a held self-service certification's death task in the
hub (SQLite and PostgreSQL).

A false cremation of the 3rd of M(-2) compared (the comparison's report opening the death
task: a ledger record of ``adapter:comparison``), the county confirming the death; the
person then certifies in the app: held, its death task ``task-held.<hash of sender and
message id>`` opened (hub/procedure/certified_dead.py). Last month's disclosure counts the
comparison programme's tasks, a task being the programme's when its id is
``task-<the report's message id>`` (``cmpr.<period>.<hash>``). Expected: 200; and this
month's figures (not yet published: read from the store) count the comparison's death task
as opened by the programme, 1 in the person's county, the held task not (opened by no
report), the death confirmed, not cleared: 0.

Before, the query read the id after ``task-`` as a ledger sequence: on PostgreSQL the cast
of ``cmpr.…`` was refused (500, the disclosure unreadable once the comparison opened a
task), on SQLite it read 0 and matched nothing (the programme's tasks published as 0).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from heldkit import held_task
from procedurekit import today
from reversalkit import DIED_IN, Scene

from certhub.hub.accountability.kpis import month_bounds
from certhub.hub.core.keys import STORE
from certhub.hub.rules.months import month_index, month_label


async def test_the_disclosure_reads_a_month_with_a_held_app_task(
    ledger_url: str | None, tmp_path: Path, aiohttp_client: Any
) -> None:
    scene = Scene.alone(tmp_path)[0].on_ledger(ledger_url)
    await scene.compare(DIED_IN)
    office = await scene.office(aiohttp_client)
    await scene.confirmed_deaths(office)
    await office.certified_in_app(scene.person)
    task = await held_task(office, scene.person["id_number"])
    assert task["task_id"].startswith("task-held."), task
    period = month_label(month_index(today()) - 1)
    status, body = await office.get("/v1/public/disclosure", period=period)
    # before: PostgreSQL 500, CAST(substr('task-cmpr.<period>.<hash>', 6) AS BIGINT) refused
    assert status == 200, body
    month, start, end = month_bounds(month_label(month_index(today())))
    counts = await office.client.app[STORE].disclosure_counts(month, month_label(month), start, end)
    county = scene.person["region"]["county"]
    opened = (
        counts.get((county, "comparison_tasks_opened")),
        counts.get((county, "comparison_tasks_cleared")),
    )
    assert opened == (1, 0), counts  # before: (None, None) on SQLite
    await office.client.close()
