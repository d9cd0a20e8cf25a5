"""The comparison's bulk path recording a 免办 certification of a pensioner whose death the
county confirmed while the batch was in flight. SQLite and PostgreSQL (the run records
through the hub's own ledger, as a hub's partition job does). 238.00 a month.

Three pensioners seen alive by health on the 5th of M(-1), in one batch. The run reads its
holds before it records: none of them has a task open or a benefit closed. While the batch
is planned, the city reports the middle one dead on the 3rd of M(-3), the county approves the
report and confirms the death (the benefit closed). The batch's middle record is written out
beforehand, as a certification planned on no closure. Before, it was recorded as any other:
recorded 3, a "no need to certify" SMS queued for a person the hub holds dead and the
certification counted. Now the bulk reads its people's closures in its transaction and
refuses it (``conflict``); planned again, it would be held (the death standing), which the
bulk path cannot store: counted refused, as a run again withholds it (``benefit_closed``).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from comparisonkit import confirmed_death, seen_in_one_batch
from latekit import label
from reversalkit import death_reported

from certhub.hub.comparison.recording import comparison_sender, record_into
from certhub.hub.core.keys import STORE
from certhub.hub.store import RecordKind


def _died() -> date:
    return date.fromisoformat(f"{label(-3)}-03")


async def test_a_batch_certification_of_a_death_confirmed_meanwhile_is_refused(
    ledger_url: str | None, tmp_path: Path, aiohttp_client: Any
) -> None:
    office, people, run = await seen_in_one_batch(
        tmp_path, ledger_url, aiohttp_client, (-6, -6, -6), label(-1)
    )
    dead = people[1]["id_number"]
    app = office.client.app
    store = app[STORE]
    append = store.append_many
    confirmed: list[str] = []

    async def appended(batch: Any) -> Any:
        if not confirmed:  # the batch planned: the death reported and confirmed first
            await death_reported(office, people[1], _died())
            confirmed.append(await confirmed_death(office, _died()))
        return await append(batch)

    store.append_many = appended
    try:
        tally = await record_into(app, await comparison_sender(app), run, label(-1))
    finally:
        store.append_many = append
    assert await store.closed_benefit(dead) is not None
    # before: recorded 3, refused 0 - the dead pensioner certified and told so
    assert (tally.recorded, tally.refused, tally.already) == (2, 1, 0), tally
    records = await store.page(RecordKind.CERTIFICATION, 0, 100)
    ours = [json.loads(r.payload) for r in records if r.sender == "adapter:comparison"]
    certified = {payload["person"]["id_number"] for payload in ours}
    assert certified == {people[0]["id_number"], people[2]["id_number"]}  # not the dead one
    await office.client.close()
