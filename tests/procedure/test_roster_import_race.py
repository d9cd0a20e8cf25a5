"""A decision committed while a roster import adds the months it shows paid after a death:
the import's months are still added, as a pushed entry's are when its sender retries.

238.00 a month. Died on the 15th of ``M(-3)``, confirmed while paid through ``M(-2)``:
``M(-2)`` = 238.00 overpaid. The province's file shows the person paid through ``M(0)``;
while the import adds ``M(-1)..M(0)`` (476.00), the determiner records 100.00 recovered
(committed first). Both count: 714.00, 100.00 recovered, 614.00 to recover. Before, the
import's append met the balance moved (``conflict``) and left the person as it stood:
the 476.00 never recovered, the summary saying 0 overpayments grown.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from importkit import Client, imported, line, reopened
from procedurekit import Office, month_day
from racekit import interleaved
from releasekit import balance, label, recovered

from certhub.hub.core.keys import PROCEDURE
from certhub.hub.procedure.roster_late_import import imported_late_payments
from certhub.schemas.clock import CHINA_STANDARD_TIME


async def test_a_recovery_recorded_meanwhile_leaves_no_imported_month_out(
    office_on_ledger: Office,
    aiohttp_client: Client,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    office = office_on_ledger
    person = office.people.person()
    yesterday = (datetime.now(CHINA_STANDARD_TIME) - timedelta(days=1)).isoformat()
    await office.roster(person, paid_through=label(-2), as_of=yesterday)
    task = await office.confirmed_death(person, month_day(-3, 15))
    assert await balance(office, task) == (1, "238.00", "0.00", "238.00", "pending")
    await office.client.close()

    async def later(*_args: object) -> int:
        return 0  # the import's months are added below, raced with the recovery

    monkeypatch.setattr("certhub.hub.cli.roster._late", later)
    as_of = datetime.now(CHINA_STANDARD_TIME).replace(microsecond=0).isoformat()
    lines = [line(person, label(0))]
    assert await asyncio.to_thread(imported, tmp_path / "r.csv", office, lines, as_of) == 0
    office = await reopened(office, aiohttp_client)
    ctx = office.client.app[PROCEDURE]

    with interleaved("recovery/v1", "overpayment/v1", ctx.store):
        (status, body), grown = await asyncio.gather(
            recovered(office, task, "100.00", "BANK-1"),
            imported_late_payments(ctx, as_of, "cli:roster-import"),
        )
    assert status == 202, body
    assert grown == 1
    assert await balance(office, task) == (3, "714.00", "100.00", "614.00", "partially_recovered")
