"""A record sent again after its void was restored with back pay: paid once, recovered once.

Cremated on the 3rd of M-3 (record C1), confirmed while the roster paid through M-3
(nothing overpaid), the province applying the termination. Civil affairs voids C1: the
hub's proposal approved, it back-pays M-2..M-1 = 476.00 (238.00 a month), payment
resumed from M0 (the province's next entry paid through M0). Civil affairs sends C1
again: confirmed anew, the death recovers every month paid after it, the months
back-paid included: M-2..M0 = 714.00, each month once. Found correct.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from comparisonkit import ComparisonCase, confirmed_death
from latekit import label
from procedurekit import month_day
from reversalkit import approved, last_day, outcomes, proposals

from certhub.hub.core.keys import STORE
from certhub.mocks.population import Population


async def test_a_record_sent_again_after_back_pay_recovers_the_months_back_paid(
    tmp_path: Path, aiohttp_client: Any, ledger_url: str | None
) -> None:
    person = Population(seed=31).person()
    number = person["id_number"]
    cremation = f"C1,{number},某人,,,cremation,{month_day(-3, 3).isoformat()},\n"
    feeds = {
        label(-3): cremation,
        label(-2): f"V1,{number},某人,,,void,{label(-2)}-02,C1\n",
        label(-1): cremation,
    }
    case = ComparisonCase.prepare(tmp_path, [person], feeds).on_ledger(ledger_url)
    await case.compare(label(-3))
    office = await case.office(aiohttp_client)
    await office.roster(person, paid_through=label(-3))
    await confirmed_death(office, month_day(-3, 3))
    await office.roster(person, status="terminated", paid_through=label(-3))
    await office.client.close()
    assert (await case.compare(label(-2)))["reversals"] == {"restoration_proposed": 1}
    office = await case.office(aiohttp_client)
    status, body = await approved(office, (await proposals(office))[number]["sequence"])
    assert status == 202, body
    (restored,) = await outcomes(office, "restoration/v1")
    back_pay = ("back_pay_from", "back_pay_to", "back_pay_amount")
    assert tuple(restored["payload"][k] for k in back_pay) == (
        f"{label(-2)}-01", last_day(label(-1)), "476.00"
    )  # fmt: skip
    await office.roster(person, paid_through=label(0))  # the province resumed payment
    await office.client.close()
    assert (await case.compare(label(-1)))["reports"] == {"task_opened": 1}
    office = await case.office(aiohttp_client)
    t2 = await confirmed_death(office, month_day(-3, 3))
    status, balance = await office.get(f"/v1/overpayments/{t2}")
    assert (balance["amount"], balance["months"]) == ("714.00", 3), balance
    store = office.client.app[STORE]
    assert await store.counted_months(number, "recovered") == {label(-2), label(-1), label(0)}
    assert await store.counted_months(number, "back_paid") == {label(-2), label(-1)}
    await office.client.close()
