"""A month the province paid late on a written-off balance is not owed to the estate again
when a void dates the death later (hub/rules/estate.py, hub/procedure/late_roster.py).

238.00 a month. Civil affairs' cremation of the 3rd of M-2 confirmed while the roster paid
through M-1: M-1 = 238.00 overpaid, written off (nothing to recover from). The province,
late to stop payment, pays M0 too (an entry paid through M0): the balance written off takes
no more months (left to staff). It then applies the termination (``terminated``, paid
through M-2: its entry rewrites ``paid_through`` back to the death month). The city reports
the death on the 1st of M0 (approved, linked), and the cremation is voided: the death moved
to the 1st of M0, M-1 cut. M-1 and M0 were both paid by the roster: nothing is owed to the
estate.

Before, M0 — paid late, left to staff with nothing said of it — read as never paid: the
re-signed termination stated "back pay to the estate M0..M0 = 238.00" and the task claimed
it, a month paid twice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from procedurekit import month_day, write_off
from reversalkit import DIED, DIED_IN, THIS_MONTH, VOIDED_IN, Scene, outcomes, reported_then_voided


async def test_a_month_paid_late_on_a_written_off_balance_is_not_owed_again(
    tmp_path: Path, aiohttp_client: Any, ledger_url: str | None
) -> None:
    scene = Scene.make(tmp_path, [DIED]).on_ledger(ledger_url)
    (person,) = scene.people
    number = person["id_number"]
    await scene.compare(DIED_IN)
    office = await scene.office(aiohttp_client)
    task = (await scene.confirmed_deaths(office, {number: {"paid_through": VOIDED_IN}}))[number]
    path = f"/v1/overpayments/{task}/write-offs"
    status, request = await office.post(path, "det-1", write_off(task, "238.00"))
    assert status == 202, request
    item = request["sequence"]
    assert (await office.decide("write-offs", item, "town-1", "accept"))[0] == 202
    assert (await office.decide("write-offs", item, "county-1", "approve"))[0] == 202
    await office.roster(person, paid_through=THIS_MONTH)  # M0 paid late
    await office.roster(person, status="terminated", paid_through=DIED_IN)  # applied
    status, body = await office.get(f"/v1/overpayments/{task}")
    assert status == 200, body
    assert (body["amount"], body["status"]) == ("238.00", "written_off"), body
    office = await reported_then_voided(scene, office, aiohttp_client, month_day(0, 1))
    *_, in_force = await outcomes(office, "termination/v1")
    assert in_force["payload"]["event_date"] == month_day(0, 1).isoformat()
    assert "estate" not in in_force["payload"]["remarks"], in_force["payload"]["remarks"]
    await office.client.close()
