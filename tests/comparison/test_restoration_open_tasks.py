"""Issue 17: no payment is restored while another death report of the person is open.

Civil affairs records a false cremation in ``DIED_IN`` (on ``DIED``), the county confirms
the death (the hub terminates the benefit; the province applies it: the roster says
``terminated``, paid through ``DIED_IN``), civil affairs voids the record in ``VOIDED_IN``
and the hub proposes restoring the benefit. Meanwhile the city reports the person's death
again, and its verification task is open: the person may really be dead. Accepting the
proposal and staff's ``restoration/v1`` of ``VOIDED_IN`` (238.00) are each
``restoration-verification-open`` (409), storing nothing, the closure staying. The decision
waits: once the county clears the report, the same proposal is accepted and approved and
back-pays ``VOIDED_IN`` once, 238.00; confirmed instead, it stays refused
(``restoration-finding-confirmed``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reversalkit import (
    DIED,
    PROBLEM,
    VOIDED_IN,
    approved,
    back_pay,
    held_open,
    last_day,
    proposed,
    proposed_applied,
    sizes,
)

from certhub.hub.core.keys import STORE


async def test_the_restoration_waits_for_a_second_death_report_to_be_settled(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    office, person, task, item = await proposed_applied(tmp_path, aiohttp_client)
    store, number = office.client.app[STORE], person["id_number"]
    again = (await office.reported_death(person, DIED))["task_id"]
    assert again != task
    await held_open(office, person, item, task, f"death {again}")

    for party, step in (("town-1", "in_progress"), ("county-1", "cleared")):
        status, body = await office.step(again, party, step)
        assert status == 202, body
    status, body = await approved(office, item)
    assert status == 202, body
    assert await store.closed_benefit(number) is None
    assert await back_pay(office) == (f"{VOIDED_IN}-01", last_day(VOIDED_IN), "238.00")
    assert await store.counted_months(number, "back_paid") == {VOIDED_IN}
    await office.client.close()


async def test_a_second_death_confirmed_keeps_the_closure(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    office, person, task, hubs = await proposed(tmp_path, aiohttp_client)
    item = hubs["sequence"]
    again = (await office.reported_death(person, DIED))["task_id"]
    status, body = await office.step(again, "county-1", "confirmed", event_date=DIED.isoformat())
    assert status == 202, body
    before = await sizes(office)
    status, body = await office.decide("restoration-proposals", item, "town-1", "accept")
    assert (status, body["type"]) == (409, PROBLEM + "restoration-finding-confirmed"), body
    assert f"death {again}" in body["detail"], body
    assert await sizes(office) == before
    assert await office.client.app[STORE].closed_benefit(person["id_number"]) == ("death", task)
    await office.client.close()
