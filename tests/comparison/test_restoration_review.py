"""A suspension the province began in the month a restoration proposal resumed payment in.

Review of the ``resumed`` key (issue 13: a month is paid once). Civil affairs records
a false cremation in ``DIED_IN``, the county confirms the death (the roster active,
paid through ``DIED_IN``), and the province, applying the hub's termination, suspends
the benefit *today* — in this month, after its first day. Civil affairs voids the
record; the proposal is approved today: back pay ``VOIDED_IN`` (238.00) and payment
resumed from the first of this month. The hub's copy of the roster still says
suspended since today until the province's next entry; that is the suspension the
approval ended, so staff's ``restoration/v1`` of it back-paying next month (238.00,
restored the month after) would pay next month twice — back pay here, the regular
payment there: ``months-already-counted``, nothing stored. Once the province's own
later entry says it suspended again today, that suspension is a new one, restorable.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from procedurekit import back_paid_months, month_day, today
from reversalkit import (
    DIED,
    DIED_IN,
    THIS_MONTH,
    VOIDED_IN,
    Scene,
    confirmed_jailed,
    held_open,
    outcomes,
    proposals,
    proposed,
    refused,
    refused_whole,
    restored,
)

from certhub.hub.core.keys import STORE


async def test_a_suspension_begun_in_the_resumed_month_before_the_approval_is_not_back_paid(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    office, person, _, proposal = await proposed(tmp_path, aiohttp_client)
    number = person["id_number"]
    store = office.client.app[STORE]
    item = proposal["sequence"]
    await office.certified_in_app(person)  # certified today: not overdue
    since = today()  # the province applied the termination as a suspension today
    await office.roster(
        person, status="suspended", suspended_since=since.isoformat(), paid_through=DIED_IN
    )
    assert (await office.decide("restoration-proposals", item, "town-1", "accept"))[0] == 202
    assert (await office.decide("restoration-proposals", item, "county-1", "approve"))[0] == 202
    (signed,) = await outcomes(office, "restoration/v1")
    assert signed["payload"]["restore_from"] == f"{THIS_MONTH}-01"
    assert signed["payload"]["back_pay_amount"] == "238.00"
    assert await store.counted_months(number, "resumed") == {THIS_MONTH}
    assert await store.counted_months(number, "back_paid") == {VOIDED_IN}

    again = back_paid_months(person, since, 1, 1, "238.00")  # M(1), restored from M(2)
    filed = office.post("/v1/restorations", "town-1", again)
    body = await refused(office, filed, 409, "months-already-counted")
    assert f"resumed payment in {THIS_MONTH}" in body["detail"], body
    assert await store.counted_months(number, "back_paid") == {VOIDED_IN}
    assert await store.counted_months(number, "resumed") == {THIS_MONTH}

    # the province's next entry: it paid this month, then suspended again today — new
    await office.roster(
        person, status="suspended", suspended_since=since.isoformat(), paid_through=THIS_MONTH
    )
    await office.approved("restorations", "town-1", again)
    assert await store.counted_months(number, "back_paid") == {VOIDED_IN, f"{month_day(1):%Y-%m}"}
    await office.client.close()


async def test_a_roster_still_active_is_not_back_paid_from_this_month_on(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    """The province never applied the termination (roster active, paid through
    ``DIED_IN``): it pays this month on regularly. Staff's restoration back-paying
    ``VOIDED_IN`` and this month (476.00, restored next month) would pay this month
    twice: refused, nothing stored, the closure stays; ``VOIDED_IN`` alone (238.00,
    restored this month) lifts it."""
    died = DIED
    office, person, _, _ = await proposed(tmp_path, aiohttp_client)
    store = office.client.app[STORE]
    both = back_paid_months(person, died, -1, 0, "476.00")  # VOIDED_IN and this month
    body = await refused_whole(office, person, both, 422, "restoration-period-invalid")
    assert THIS_MONTH in body["detail"], body
    assert await store.counted_months(person["id_number"], "back_paid") == frozenset()

    one = back_paid_months(person, died, -1, -1, "238.00")  # VOIDED_IN alone
    assert await restored(office, person, one) == {VOIDED_IN}
    await office.client.close()


async def test_no_payment_is_restored_over_an_imprisonment_the_hub_suspended_before(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    """The county confirms the person's imprisonment (the hub suspends the benefit, never
    restored since), then a false death (the hub terminates it). Civil affairs voids
    the death: lifting the closure would resume payment, and back-pay ``VOIDED_IN``
    (238.00), to a person the hub itself suspended for imprisonment —
    ``restoration-finding-confirmed``, nothing stored, the closure stays."""
    jailed = DIED - timedelta(days=1)
    scene, person, number = await Scene.recorded(tmp_path)  # dead on DIED, the 3rd of DIED_IN
    office = await scene.office(aiohttp_client)
    jail = await confirmed_jailed(office, person, jailed)
    assert [o["payload"]["task_id"] for o in await outcomes(office, "suspension/v1")] == [jail]
    death = (await scene.confirmed_deaths(office))[number]  # the roster paid through DIED_IN
    await office.client.close()
    assert (await scene.compare(VOIDED_IN))["reversals"] == {"restoration_proposed": 1}

    office = await scene.office(aiohttp_client)
    item = (await proposals(office))[number]["sequence"]
    finding = "restoration-finding-confirmed"
    await held_open(office, person, item, death, f"imprisonment {jail}", slug=finding)
    await office.client.close()
