"""The months a voided termination's overpayment counted stay paid once it is voided.

238.00 a month, months from this one (China time). A false cremation on the 3rd of M(-2),
confirmed while the roster paid through M(0): M(-1)..M(0) = 476.00 overpaid. Civil affairs
voids it; the hub's proposal is approved (the roster still active, paid through M(0): no
back pay): the overpayment is voided — its months were owed — and freed from the months
recovered. Then the province's entry says suspended since the 1st of M(-1), paid through
M(-2) (it rewrote ``paid_through`` when it applied the termination): staff's restoration
back-paying M(-1) (238.00) again — paid by the roster, kept by the person when the recovery
was voided — was accepted. Now approving the proposal claims M(-1)..M(0) as paid (back_paid
under the proposal's item, as a release's or a disappearance's restoration does): the
second request is ``months-already-counted`` (409), nothing stored.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from procedurekit import Office, back_paid_months, month_day
from reversalkit import DIED, DIED_IN, PROBLEM, THIS_MONTH, VOIDED_IN, approved, proposed, sizes

from certhub.hub.core.keys import STORE


async def test_a_month_the_voided_overpayment_counted_is_not_back_paid_again(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    office, person, task, proposal = await proposed(tmp_path, aiohttp_client, THIS_MONTH)
    number, store = person["id_number"], office.client.app[STORE]
    assert await store.counted_months(number, "recovered") == {
        month_day(n).strftime("%Y-%m") for n in (-1, 0)
    }
    status, body = await approved(office, proposal["sequence"])
    assert status == 202, body
    status, body = await office.get(f"/v1/overpayments/{task}")
    assert (status, body["amount"], body["status"]) == (200, "476.00", "voided"), body
    assert await store.counted_months(number, "recovered") == set()
    # paid by the roster, kept when the recovery was voided: paid, never back pay too
    assert await store.counted_months(number, "back_paid") == {
        month_day(n).strftime("%Y-%m") for n in (-1, 0)
    }

    await refused_again(office, person, month_day(1))  # M(0) resumes by the proposal


async def test_staffs_restoration_of_the_voided_termination_claims_them_too(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    """The same through staff's ``restoration/v1``: confirmed while paid through M(-1)
    (M(-1) = 238.00 overpaid), voided; the roster terminated, paid through M(-1), staff
    back-pay M(0) (restored from M(1)), approved: M(-1) is claimed as paid by it, and a
    second restoration back-paying M(-1) is ``months-already-counted``."""
    office, person, _, _ = await proposed(tmp_path, aiohttp_client, VOIDED_IN)
    number, store = person["id_number"], office.client.app[STORE]
    await office.roster(person, status="terminated", paid_through=VOIDED_IN)
    first = back_paid_months(person, DIED, 0, 0, "238.00")  # restored from M(1)
    await office.approved("restorations", "town-1", first)
    assert await store.closed_benefit(number) is None
    assert await store.counted_months(number, "back_paid") == {VOIDED_IN, THIS_MONTH}

    await refused_again(office, person, month_day(2))  # M(1) resumes by the first


async def refused_again(office: Office, person: dict[str, Any], restore_from: date) -> None:
    """The province's entry suspends ``person`` from the 1st of M(-1), paid through M(-2):
    staff's restoration back-paying M(-1) (238.00) again, resumed from ``restore_from``, is
    ``months-already-counted`` (409), nothing stored."""
    since = month_day(-1)
    await office.roster(
        person, status="suspended", suspended_since=since.isoformat(), paid_through=DIED_IN
    )
    again = back_paid_months(person, since, -1, -1, "238.00", restore_from=restore_from.isoformat())
    before = await sizes(office)
    status, body = await office.post("/v1/restorations", "town-1", again)
    assert (status, body["type"]) == (409, PROBLEM + "months-already-counted"), body
    assert await sizes(office) == before
