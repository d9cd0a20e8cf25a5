"""A person's death report dated in a LATER month, linked behind the termination, left alone
by a department's void: the death month it states is recovered as overpaid.

Months from this one (China time), 238.00 a month: civil affairs' cremation of the 3rd of
M(-2) (C0) confirmed while the roster pays through M(0): M(-1)..M(0) = 476.00. The city then
reports the death on the 8th of M(-1), approved at two levels: not earlier, so no amendment —
linked, it joins the terminating task's sources (reversals.joined_to_termination). The M(-1)
feed voids C0: ``no_effect``, the report stands behind the termination. But the only record
left dates the death in M(-1), the death month, payable: M(0) = 238.00 is overpaid, not
476.00 — M(-1)'s 238.00 is recovered from the family of a person who, on what stands, was
alive then. Not yet: the termination stays dated the 3rd of M(-2) (an approved amendment's
withdrawn record moves the death back, hub/procedure/amendment_undo.py; a void leaving only
a later-dated report moves it to nothing).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from procedurekit import month_day
from reversalkit import DIED, DIED_IN, THIS_MONTH, VOIDED_IN, Scene, outcomes

from certhub.hub.core.keys import STORE


@pytest.mark.xfail(
    strict=True,
    reason="Not yet: a void leaving only a later-dated person's report behind the termination "
    "does not move the death to the report's month (476.00 recovered, 238.00 owed)",
)
async def test_a_void_leaving_a_later_report_recovers_only_the_months_after_it(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    scene, person, number = Scene.alone(tmp_path, DIED)
    await scene.compare(DIED_IN)
    office = await scene.office(aiohttp_client)
    tasks = await scene.confirmed_deaths(office, {number: {"paid_through": THIS_MONTH}})
    task = tasks[number]
    report = office.people.eligibility_report() | {
        "reason": "death", "person": person, "region": person["region"],
        "event_date": month_day(-1, 8).isoformat(),
    }  # fmt: skip
    await office.approved_report(report)
    assert await outcomes(office, "termination_amendment/v1") == []  # later: linked
    await office.client.close()
    assert (await scene.compare(VOIDED_IN))["reversals"] == {"no_effect": 1}
    office = await scene.office(aiohttp_client)
    assert await outcomes(office, "restoration_proposal/v1") == []
    store = office.client.app[STORE]
    assert await store.closed_benefit(number) == ("death", task)  # the report stands
    status, body = await office.get(f"/v1/overpayments/{task}")
    assert status == 200, body
    assert (body["months"], body["amount"]) == (1, "238.00"), body  # M(0) only
    assert await store.counted_months(number, "recovered") == {THIS_MONTH}
    assert VOIDED_IN not in await store.counted_months(number, "recovered")
