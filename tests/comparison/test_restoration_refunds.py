"""Issue 17: a termination the province never applied, a recovery refunded, the city's year.

The same reversal as ``test_restoration_proposals.py`` (a false cremation
record, confirmed, then voided by civil affairs): here the roster still says
active when the proposal is approved — back pay only for months after
``paid_through``, possibly none —, 238.00 was recovered as overpayment and is
refunded (the overpayment voided, never owed), a roster suspended meanwhile
for another cause is refused, and the termination's age decides the level: day 365 the county,
day 366 the city.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from procedurekit import today
from reversalkit import (
    DIED,
    DIED_IN,
    PROBLEM,
    THIS_MONTH,
    VOIDED_IN,
    Scene,
    approved,
    audited,
    days_ago,
    last_day,
    outcomes,
    overpaid_figures,
    recovery,
    refused,
)

from certhub.hub.core.keys import STORE


async def test_a_termination_the_province_never_applied_is_restored_and_its_recovery_refunded(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    scene = Scene.make(tmp_path, [DIED] * 4)
    refunded, unpaid, paid, suspended = scene.people
    await scene.compare(DIED_IN)
    tasks = await scene.terminated(
        aiohttp_client,
        {
            # paid through this month when the death was confirmed: 2 months overpaid
            refunded["id_number"]: {"paid_through": THIS_MONTH},
            paid["id_number"]: {"paid_through": VOIDED_IN},
        },
    )
    office = await scene.office(aiohttp_client)
    overpaid = tasks[refunded["id_number"]]
    assert (await office.get(f"/v1/overpayments/{overpaid}"))[1]["amount"] == "476.00"
    status, body = await office.post(
        f"/v1/overpayments/{overpaid}/recoveries", "det-1", recovery(overpaid, "238.00")
    )
    assert status == 202, body
    await office.client.close()
    # the province never applied the terminations: every roster entry still says active
    office, items = await scene.voided(aiohttp_client)
    store = office.client.app[STORE]
    # overpaid: 2 months of the first (476.00) and 1 of the one paid through last month
    assert await overpaid_figures(office) == ([("all", 2, "714.00")], Decimal("714.00"))

    for person in (refunded, unpaid, paid):
        status, body = await approved(office, items[person["id_number"]])
        assert status == 202, body
        assert await store.closed_benefit(person["id_number"]) is None
    assert sorted(await audited(office, "closure_lifted")) == sorted(
        tasks[p["id_number"]] for p in (refunded, unpaid, paid)
    )
    # only the roster paid through the death's month leaves a month unpaid: last month
    (restored,) = await outcomes(office, "restoration/v1")
    signed = restored["payload"]
    assert signed["person"]["id_number"] == unpaid["id_number"]
    assert (signed["back_pay_from"], signed["back_pay_amount"]) == (f"{VOIDED_IN}-01", "238.00")
    # paid through last month or later: nothing to back-pay; the months the voided
    # overpayment counted (paid by the roster) are claimed as paid by the approval
    for person, counted in ((refunded, {VOIDED_IN, THIS_MONTH}), (paid, {VOIDED_IN})):
        assert await store.counted_months(person["id_number"], "back_paid") == counted

    # the recovered 238.00 was taken from a living pensioner: refunded, recovery stopped
    _, balance = await office.get(f"/v1/overpayments/{overpaid}")
    assert (balance["status"], balance["recovered"]) == ("voided", "238.00")
    assert (balance["remaining"], balance["written_off"]) == ("0.00", "0.00")  # not a loss
    voided = [
        o["payload"]
        for o in await outcomes(office, "overpayment/v1")
        if o["message_id"] == f"overpayment:{overpaid}:voided"
    ]
    assert [(o["recovery_status"], o["recovered_amount"]) for o in voided] == [("voided", "238.00")]
    again = office.post(
        f"/v1/overpayments/{overpaid}/recoveries", "det-1", recovery(overpaid, "238.00")
    )
    await refused(office, again, 409, "overpayment-settled")
    _, task = await office.get(f"/v1/verification-tasks/{overpaid}")
    assert "238.00 recovered is refunded" in task["remarks"]
    # never owed: neither an overpayment in the statistics nor overpaid in the assessment
    assert await overpaid_figures(office) == ([], Decimal(0))

    # stale: between acceptance and approval the province suspends the last one from the
    # 1st of DIED_IN, before the termination took effect (DIED, the 3rd): another cause
    item = items[suspended["id_number"]]
    assert (await office.decide("restoration-proposals", item, "town-1", "accept"))[0] == 202
    await office.roster(
        suspended, status="suspended", suspended_since=f"{DIED_IN}-01", paid_through=DIED_IN
    )
    approve = office.decide("restoration-proposals", item, "county-1", "approve")
    await refused(office, approve, 409, "restoration-other-suspension")
    assert await store.closed_benefit(suspended["id_number"]) is not None


async def test_a_termination_more_than_365_days_old_is_approved_by_the_city(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    died = [days_ago(365), days_ago(366)]
    scene = Scene.make(tmp_path, died, recorded_in=died[0].strftime("%Y-%m"))
    county, city = scene.people
    await scene.compare(died[0].strftime("%Y-%m"))
    await scene.terminated(aiohttp_client)
    office = await scene.office(aiohttp_client)
    for person, day in zip(scene.people, died, strict=True):
        await office.roster(person, status="terminated", paid_through=day.strftime("%Y-%m"))
    await office.client.close()
    office, items = await scene.voided(aiohttp_client)

    status, body = await approved(office, items[county["id_number"]])  # day 365: county level
    assert status == 202, body
    item = items[city["id_number"]]
    status, body = await approved(office, item)  # day 366
    assert (status, body["type"]) == (403, PROBLEM + "municipal-approval-required"), body
    status, body = await office.decide("restoration-proposals", item, "muni-1", "approve")
    assert status == 202, body

    signed = {
        o["payload"]["person"]["id_number"]: o["payload"]
        for o in await outcomes(office, "restoration/v1")
    }
    for person, day in zip(scene.people, died, strict=True):
        # from the month after the death's to last month, at 238.00 each
        months = (today().year - day.year) * 12 + today().month - day.month - 1
        one = signed[person["id_number"]]
        assert one["back_pay_amount"] == f"{238 * months}.00"
        assert one["back_pay_to"] == last_day(VOIDED_IN)
    assert [a["id"] for a in signed[city["id_number"]]["approvals"]] == ["town-1", "muni-1"]
