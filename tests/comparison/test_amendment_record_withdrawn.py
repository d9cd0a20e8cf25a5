"""An amendment whose record its department withdrew: before the approval it moves no money,
after it the death moves back.

Months from this one (China time), 238.00 a month: civil affairs records a cremation on
the 3rd of M(-2) (C0, M(-2) feed); the task is confirmed with that date, the roster paid
through M(0): M(-1)..M(0) = 476.00. The M(-1) feed brings a second record, C1, dating the
death the 3rd of M(-3): a ``termination_amendment/v1`` is opened (resting on the machine's
report of C1). The M(0) feed voids C1. Approving the amendment now would recover M(-2) =
238.00 on a record its department withdrew, from the family of a person who was alive
then: the approval is ``conflict`` (reject it), nothing stored, 476.00 as before.

Withdrawn after the approval (714.00), C0 standing, the void moves the death back to the
3rd of M(-2): the termination re-signed, M(-2) recovered no more, what was recovered of it
refunded (hub/procedure/amendment_undo.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from amendmentkit import amendment_opened
from reversalkit import (
    DIED,
    DIED_IN,
    EARLIER,
    THIS_MONTH,
    VOIDED_IN,
    amendment_approved,
    audited,
    outcomes,
    recovery,
    refused,
)

from certhub.hub.core.keys import STORE


async def test_a_withdrawn_record_moves_no_death(tmp_path: Path, aiohttp_client: Any) -> None:
    case, task = await amendment_opened(tmp_path, aiohttp_client, seed=31)
    number = case.person["id_number"]
    # the void of the amendment's record is the ledger's (before: no task rested on it,
    # so nothing was stored and the approval below could not know)
    assert (await case.compare(THIS_MONTH))["reversals"] == {"no_effect": 1}
    office = await case.office(aiohttp_client)
    (amendment,) = await outcomes(office, "termination_amendment/v1")
    item = int(amendment["sequence"])
    assert (await office.decide("termination-amendments", item, "town-1", "accept"))[0] == 202
    approve = office.decide("termination-amendments", item, "county-1", "approve")
    body = await refused(office, approve, 409, "conflict")
    assert "C1" in body["detail"], body
    status, body = await office.get(f"/v1/overpayments/{task}")
    assert (status, body["amount"], body["remaining"]) == (200, "476.00", "476.00")
    store = office.client.app[STORE]
    assert await store.closed_benefit(number) == ("death", task)
    assert (await office.decide("termination-amendments", item, "county-1", "reject"))[0] == 202


# (recovered before the void; then recovered, refunded, remaining, status): months are
# recovered in the order their records were signed, the amendment's M(-2) last
WITHDRAWN_AFTER = [
    (None, ("0.00", "0.00", "476.00", "pending")),
    ("300.00", ("300.00", "0.00", "176.00", "partially_recovered")),
    ("600.00", ("476.00", "124.00", "0.00", "recovered")),
    ("714.00", ("476.00", "238.00", "0.00", "recovered")),
]


@pytest.mark.parametrize(("taken", "after"), WITHDRAWN_AFTER)
async def test_a_record_withdrawn_after_the_approval_moves_the_death_back(
    tmp_path: Path, aiohttp_client: Any, taken: str | None, after: tuple[str, str, str, str]
) -> None:
    """Approved (714.00: M(-1)..M(0) = 476.00 and M(-2) = 238.00), ``taken`` recovered,
    then C1 voided while C0 stands: the termination re-signed with the 3rd of M(-2), M(-2)
    recovered no more (its record re-signed voided), what was taken beyond the 476.00 kept
    refunded (before: the amended date stayed in force, M(-2) recovered on a withdrawn
    record from the family of a person who was alive then)."""
    case, task = await amendment_opened(tmp_path, aiohttp_client, seed=29)
    office = await case.office(aiohttp_client)
    await amendment_approved(office)
    status_code, body = await office.get(f"/v1/overpayments/{task}")
    assert (status_code, body["amount"]) == (200, "714.00")
    if taken is not None:
        path = f"/v1/overpayments/{task}/recoveries"
        assert (await office.post(path, "det-1", recovery(task, taken)))[0] == 202
    await office.client.close()
    # the task's own record stands: the termination is not voided (no proposal)
    assert (await case.compare(THIS_MONTH))["reversals"] == {"no_effect": 1}
    office = await case.office(aiohttp_client)
    status_code, body = await office.get(f"/v1/overpayments/{task}")
    assert status_code == 200, body
    recovered, refunded, remaining, status = after
    figures = (body["months"], body["amount"], body["recovered"], body["refunded"])
    assert figures == (2, "476.00", recovered, refunded)  # M(-2) no longer recovered
    assert (body["remaining"], body["status"]) == (remaining, status)
    terminations = await outcomes(office, "termination/v1")
    assert [t["payload"]["event_date"] for t in terminations] == [
        DIED.isoformat(), EARLIER.isoformat(), DIED.isoformat()
    ]  # fmt: skip
    assert "C1" in terminations[-1]["payload"]["remarks"]
    (cut,) = [
        o for o in await outcomes(office, "overpayment/v1")
        if o["payload"]["recovery_status"] == "voided"
    ]  # fmt: skip
    assert (cut["payload"]["period_from"], cut["payload"]["amount"]) == (f"{DIED_IN}-01", "238.00")
    assert cut["payload"]["recovered_amount"] == refunded
    store = office.client.app[STORE]
    number = case.person["id_number"]
    assert await store.closed_benefit(number) == ("death", task)
    assert await store.counted_months(number, "recovered") == {VOIDED_IN, THIS_MONTH}
    assert await audited(office, "termination_amended") == [task, task]
    assert await audited(office, "overpayment_released") == [task]
