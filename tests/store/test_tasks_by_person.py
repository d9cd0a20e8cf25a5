"""On both backends: a person's confirmed tasks are read through an index by person
(``tasks_confirmed``), not a scan of every task — on a new ledger and on one from before
the schema step that adds it."""

from __future__ import annotations

from ledger_backends import Backend
from plankit import assert_read_through, before_the_step, query_plan, step_of

from certhub.hub.store.queries import _TASK_SELECT  # the SQL confirmed_tasks runs
from certhub.hub.store.tables import TASKS_CONFIRMED

STEP = step_of(TASKS_CONFIRMED)
QUERY = _TASK_SELECT + " WHERE person_id={p} AND status='confirmed' ORDER BY changed_seq"


async def plan(backend: Backend) -> str:
    """The backend's query plan of ``confirmed_tasks`` for ``P1``."""
    return await query_plan(backend, QUERY.format(p="?"), QUERY.format(p="$1"), "P1")


async def test_confirmed_tasks_are_found_by_person_through_the_index(
    ledger_factory: Backend,
) -> None:
    await ledger_factory.create()
    await assert_read_through(ledger_factory, plan, "tasks", "tasks_confirmed")


async def test_a_ledger_from_before_the_step_opens_with_the_index(
    ledger_factory: Backend,
) -> None:
    await before_the_step(ledger_factory, STEP)
    assert "tasks_confirmed" not in await plan(ledger_factory)
    await ledger_factory.create()
    assert "tasks_confirmed" in await plan(ledger_factory)
