"""The comparison's bulk path dropping, without a trace, a certification at a batch's end that
its write refused because the county approved the pensioner's suspension while the batch was
in flight. SQLite and PostgreSQL (the run records through the hub's own ledger, as a hub's
partition job does). 238.00 a month.

Three pensioners seen alive by health on the 5th of M(-1); the first of the run's batch, last
certified in the app on the 15th of M(-15) (due M(-3)), is proposed for suspension (and town
staff accept it) just after the run read the proposals made since its last batch, before the
batch is planned; the county approves it before the batch commits. Not among the people the
run plans one by one, the pensioner is planned as the batch's first record: the planner finds
the suspension unsigned and carries it to the write, which is refused (``conflict``). Before,
only the one-by-one records so refused were planned again, and this one was neither recorded
nor counted refused: recorded 2, refused 0, the 免办 certification lost, ``suspension/v1``
signed for a pensioner the run had just seen alive and no restoration proposed - 238.00 a
month stopped with nothing in the run's figures to say so. Now every record so refused is
planned again at once: recorded 3 and the restoration proposal open in that run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from comparisonkit import seen_in_one_batch
from latekit import label
from notcertifiedkit import open_proposals, overdue_sweep
from procedurekit import today
from reversalkit import outcomes

from certhub.hub.comparison.recording import comparison_sender, record_into
from certhub.hub.core.keys import STORE


async def test_a_batch_end_refused_for_a_suspension_signed_meanwhile_is_recorded(
    ledger_url: str | None, tmp_path: Path, aiohttp_client: Any
) -> None:
    office, people, run = await seen_in_one_batch(
        tmp_path, ledger_url, aiohttp_client, (-15, -6, -6), label(-1)
    )  # one batch, the overdue one first
    first = people[0]
    app = office.client.app
    store = app[STORE]
    items: list[int] = []
    reads: list[int] = []
    read, append = store.suspension_proposed, store.append_many

    async def proposals_read(after: int = 0) -> tuple[frozenset[str], int]:
        found: tuple[frozenset[str], int] = await read(after)
        reads.append(after)
        if len(reads) == 2:  # the batch's read of the new proposals: one made just after
            assert await overdue_sweep(office).sweep(today()) == 1
            (proposal,) = await outcomes(office, "suspension_proposal/v1")
            items.append(int(proposal["sequence"]))
            status, _ = await office.decide("suspension-proposals", items[0], "town-1", "accept")
            assert status == 202
        return found

    async def appended(batch: Any) -> Any:
        if len(items) == 1:  # the batch planned: the county's approval commits first
            status, body = await office.decide(
                "suspension-proposals", items[0], "county-1", "approve"
            )
            assert status == 202, body
            items.append(0)
        return await append(batch)

    store.suspension_proposed, store.append_many = proposals_read, appended
    tally = await record_into(app, await comparison_sender(app), run, label(-1))
    assert len(items) == 2  # proposed after the run's read, approved before the batch's commit
    (suspension,) = await outcomes(office, "suspension/v1")
    assert suspension["payload"]["person"]["id_number"] == first["id_number"]
    # before: recorded 2, refused 0 - the third neither recorded nor counted
    assert (tally.recorded, tally.refused, tally.already) == (3, 0, 0), tally
    (restoration,) = await open_proposals(office)
    assert restoration["payload"]["person"]["id_number"] == first["id_number"], restoration
    await office.client.close()
