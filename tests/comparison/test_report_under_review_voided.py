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
    VOIDED_IN,
    approved,
    back_pay,
    held_open,
    last_day,
    proposed_applied,
)

from certhub.hub.core.keys import STORE


async def test_the_restoration_waits_for_a_death_report_under_review(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    office, person, task, item = await proposed_applied(tmp_path, aiohttp_client)
    store, number = office.client.app[STORE], person["id_number"]
    report = office.people.eligibility_report() | {
        "reason": "death", "person": person, "event_date": DIED.isoformat(),
        "region": person["region"],
    }  # fmt: skip
    status, receipt = await office.post("/v1/reports", "city", report)
    assert status == 202, receipt
    again = int(receipt["sequence"])

    await held_open(office, person, item, task, f"death report {again} received")

    assert (await office.decide("reports", again, "town-1", "reject"))[0] == 202
    status, body = await approved(office, item)
    assert status == 202, body
    assert await store.closed_benefit(number) is None
    assert await back_pay(office) == (f"{VOIDED_IN}-01", last_day(VOIDED_IN), "238.00")
    assert await store.counted_months(number, "back_paid") == {VOIDED_IN}
