"""``GET /v1/overpayments/{task}`` says what was refunded, not only the signed records.

The release vector (``tests/procedure/test_release_refund.py``): 238.00 a month, paid
through ``M(-1)``, jailed on the 10th of ``M(-9)`` and confirmed with no end stated —
``M(-8)..M(-1)`` = 1,904.00 overpaid; 714.00 recovered. A restoration stating the release
on the last day of ``M(-7)``, approved: 476.00 overpaid, 476.00 recovered, 238.00 refunded
(``M(-6)``, recovered and not owed). Released in the month jailed instead: voided, all
714.00 refunded. Before, the balance showed no refund at all.
"""

from __future__ import annotations

from typing import Any

from procedurekit import Office
from releasekit import jailed_while_paid, recovered, released_restoration


async def refunds(office: Office, task: str) -> tuple[str, str, str, str]:
    """(amount, recovered, refunded, status) of the task's overpayment."""
    status, body = await office.get(f"/v1/overpayments/{task}", "county-1")
    assert status == 200, body
    return body["amount"], body["recovered"], body["refunded"], body["status"]


async def jailed_and_recovered(office: Office) -> tuple[dict[str, Any], str]:
    """The vector's imprisonment confirmed, 714.00 recovered: the person and the task."""
    person, task = await jailed_while_paid(office)
    status, body = await recovered(office, task, "714.00", "R-1")
    assert status == 202, body
    assert await refunds(office, task) == ("1904.00", "714.00", "0.00", "partially_recovered")
    return person, task


async def release_approved(office: Office, person: dict[str, Any], offset: int) -> None:
    """Staff's restoration stating the release on the last day of ``M(offset)``, approved."""
    payload = await released_restoration(office, person, offset)
    await office.approved("restorations", "town-1", payload)


async def test_a_release_cut_shows_what_it_refunded(office: Office) -> None:
    person, task = await jailed_and_recovered(office)
    await release_approved(office, person, -7)
    assert await refunds(office, task) == ("476.00", "476.00", "238.00", "recovered")


async def test_a_release_that_voids_the_overpayment_refunds_all_recovered(office: Office) -> None:
    person, task = await jailed_and_recovered(office)
    await release_approved(office, person, -9)
    assert await refunds(office, task) == ("1904.00", "714.00", "714.00", "voided")
