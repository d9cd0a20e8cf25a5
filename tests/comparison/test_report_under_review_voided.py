"""A death report still under review holds back the restoration of a voided termination.

Civil affairs records a false cremation in ``DIED_IN``, the county confirms the death (the
hub terminates the benefit), civil affairs voids the record in ``VOIDED_IN`` and the hub
proposes restoring the benefit. Meanwhile the city reports the person's death again; the
report is filed, neither accepted nor approved, so no task is open yet. Accepting the
proposal and staff's ``restoration/v1`` of ``VOIDED_IN`` (238.00) are each
``restoration-verification-open`` (409), storing nothing, the closure staying. The town
rejects the report: the same proposal is accepted and approved and back-pays ``VOIDED_IN``
once, 238.00.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reversalkit import (
    DIED,
    DIED_IN,
    PROBLEM,
    VOIDED_IN,
    approved,
    last_day,
    outcomes,
    proposed,
    sizes,
    voided_restoration,
)

from certhub.hub.core.keys import STORE


async def test_the_restoration_waits_for_a_death_report_under_review(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    office, person, task, hubs = await proposed(tmp_path, aiohttp_client)
    number, item, store = person["id_number"], hubs["sequence"], office.client.app[STORE]
    await office.roster(person, status="terminated", paid_through=DIED_IN)
    report = office.people.eligibility_report() | {
        "reason": "death", "person": person, "event_date": DIED.isoformat(),
        "region": person["region"],
    }  # fmt: skip
    status, receipt = await office.post("/v1/reports", "city", report)
    assert status == 202, receipt
    again = int(receipt["sequence"])

    before = await sizes(office)
    answers = [
        await office.decide("restoration-proposals", item, "town-1", "accept"),
        await office.post("/v1/restorations", "town-1", voided_restoration(person)),
    ]
    for status, body in answers:
        assert (status, body["type"]) == (409, PROBLEM + "restoration-verification-open"), body
        assert f"death report {again} received" in body["detail"], body
    assert await sizes(office) == before
    assert await store.closed_benefit(number) == ("death", task)
    assert await store.counted_months(number, "back_paid") == set()

    assert (await office.decide("reports", again, "town-1", "reject"))[0] == 202
    status, body = await approved(office, item)
    assert status == 202, body
    assert await store.closed_benefit(number) is None
    (signed,) = await outcomes(office, "restoration/v1")
    payload = signed["payload"]
    assert (payload["back_pay_from"], payload["back_pay_to"], payload["back_pay_amount"]) == (
        f"{VOIDED_IN}-01", last_day(VOIDED_IN), "238.00"
    )  # fmt: skip
    assert await store.counted_months(number, "back_paid") == {VOIDED_IN}
