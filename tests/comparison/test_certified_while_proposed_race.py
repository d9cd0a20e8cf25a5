"""The comparison certifying, in the middle of a batch, a pensioner whose suspension proposal
awaits the county, while the county approves it. SQLite and PostgreSQL (the run records
through the hub's own ledger, as a hub's partition job does). 238.00 a month.

Three pensioners seen alive by health on the 5th of M(-1); the middle one of the run's
batch, last certified in the app on the 15th of M(-15) (due M(-3)), is proposed for
suspension and town staff accept it. The bulk path plans a batch's first and last record
and gives the others the same effects; only people the hub had suspended when the run began
were planned one by one (their certification opens the suspension's restoration proposal).

* The county's approval commits between the batch's planning and its commit. Before, both
  committed: ``suspension/v1`` (not_certified) signed for a pensioner the run had just seen
  alive, and no ``restoration_proposal/v1`` opened, ever (a run again finds the
  certification recorded) - the province stops paying 238.00 a month until staff notice.
  Now the pensioner is planned one by one, that plan carries the suspension it found
  unsigned, and its write is refused (``conflict``); planned again at once, the
  certification is recorded and opens the restoration proposal, in that run.
* The approval commits after the run began, before the batch is planned. Before, the
  pensioner was not among those the run read as suspended: the same outcome. Now the plan
  finds the suspension signed and opens its restoration proposal in that run.
* Proposed, accepted and approved after the run began (its first read of the proposals),
  before the batch is planned: the proposals made since are read before each batch, and
  the restoration proposal opens in that run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from comparisonkit import seen_in_one_batch
from latekit import label
from notcertifiedkit import open_proposals, overdue_sweep
from procedurekit import Office, today
from reversalkit import outcomes

from certhub.hub.comparison.engine import ComparisonRun
from certhub.hub.comparison.recording import LedgerTally, comparison_sender, record_into
from certhub.hub.core.keys import STORE


async def _scene(
    ledger_url: str | None, tmp_path: Path, aiohttp_client: Any
) -> tuple[Office, dict[str, Any], ComparisonRun]:
    """Three pensioners on the roster (paid through M(-3)), the outer two certified in the app
    on the 15th of M(-6), the middle one on the 15th of M(-15) (due M(-3): overdue); the
    M(-1) comparison of health's visits of the three, compared, not yet recorded: an open
    office, the middle pensioner and the run."""
    office, (_, middle, _), run = await seen_in_one_batch(
        tmp_path, ledger_url, aiohttp_client, (-6, -15, -6), label(-1)
    )  # one batch, the proposed pensioner neither its first nor its last record
    return office, middle, run


async def _proposed(office: Office) -> int:
    """The sweep proposes suspending the overdue one, town staff accept: the proposal's item."""
    assert await overdue_sweep(office).sweep(today()) == 1
    (proposal,) = await outcomes(office, "suspension_proposal/v1")
    item = int(proposal["sequence"])
    assert (await office.decide("suspension-proposals", item, "town-1", "accept"))[0] == 202
    return item


async def _approved(office: Office, item: int) -> None:
    status, body = await office.decide("suspension-proposals", item, "county-1", "approve")
    assert status == 202, body


def _before(store: Any, name: str, first: Callable[[], Awaitable[None]]) -> None:
    """``first`` awaited before the first call of ``store``'s method ``name`` goes on."""
    original, done = getattr(store, name), asyncio.Event()

    async def held(*args: Any) -> Any:
        if not done.is_set():
            done.set()
            await first()
        return await original(*args)

    setattr(store, name, held)


async def _recorded(app: web.Application, run: ComparisonRun) -> LedgerTally:
    """The run recorded through ``app``'s ledger (in bulk), as a hub's partition job does."""
    return await record_into(app, await comparison_sender(app), run, label(-1))


@pytest.mark.parametrize(
    ("proposed_first", "approved_before"),
    [(True, "append_many"), (True, "find_many"), (False, "find_many")],
    ids=[
        "approved-between-the-batchs-planning-and-its-commit",
        "approved-after-the-run-began-before-the-batch-is-planned",
        "proposed-and-approved-after-the-run-began-before-the-batch-is-planned",
    ],
)
async def test_approved_while_the_run_records_opens_the_restoration_in_that_run(
    proposed_first: bool,
    approved_before: str,
    ledger_url: str | None,
    tmp_path: Path,
    aiohttp_client: Any,
) -> None:
    """The county's approval commits just before the run's first ``approved_before`` (its
    batch's commit, or its look-up before the plan); the proposal made before the run began,
    or only then (not among the proposals the run read first)."""
    office, person, run = await _scene(ledger_url, tmp_path, aiohttp_client)
    app = office.client.app
    item = await _proposed(office) if proposed_first else None

    async def approved() -> None:
        await _approved(office, item if item is not None else await _proposed(office))

    _before(app[STORE], approved_before, approved)
    tally = await _recorded(app, run)
    assert (tally.recorded, tally.refused) == (3, 0), tally
    (suspension,) = await outcomes(office, "suspension/v1")
    assert suspension["payload"]["person"]["id_number"] == person["id_number"]
    # before: no restoration proposed, ever (a run again finds all three recorded)
    (restoration,) = await open_proposals(office)
    assert restoration["payload"]["person"]["id_number"] == person["id_number"], restoration
    again = await _recorded(app, run)
    assert (again.recorded, again.already, again.refused) == (0, 3, 0), again
    assert len(await open_proposals(office)) == 1
    await office.client.close()
