"""The estate's back pay, then every record of the death withdrawn: the restoration pays the
rest, each month once, as the province sums it from its pull (both ledgers).

238.00 a month. Civil affairs records a cremation of the 3rd of M-3 (C1); the county
confirms the death while the roster paid through M-3 (nothing overpaid). A second
cremation record of the 8th of M-2 (C2) is linked to the termination. C1 is voided (run of
M-1): the death moves to the 8th of M-2 and M-2 = 238.00, never paid, is back-paid to the
estate (stated on the re-signed termination, claimed under the task). C2 is voided (run of
M0): nothing is left behind the termination, the hub proposes its restoration. Approved:
back pay M-1 = 238.00 and payment resumed from M0 — M-2 paid once, by the estate's back
pay. Before, the proposal planned M-2..M-1 again and every approval was
``months-already-counted``: the living pensioner's M-1 and every month from M0 unpaid.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from comparisonkit import confirmed_death
from latekit import label
from procedurekit import Office, month_day
from reversalkit import cremated_twice

from certhub.hub.core.keys import STORE

ESTATE = re.compile(r"back pay to the estate (\d{4}-\d{2})\.\.(\d{4}-\d{2}) = ([\d.]+)")


async def pulled(office: Office) -> list[dict[str, Any]]:
    """Every outcome, one a page, as the province pulls them."""
    items: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        status, page = await office.get(
            "/v1/outcomes", limit="1", **({"after": after} if after else {})
        )
        assert status == 200, page
        items += page["items"]
        after = page["next_cursor"] or after
        if not page["has_more"]:
            return items


def paid_besides_the_roster(items: list[dict[str, Any]]) -> list[tuple[str, str, Decimal]]:
    """(first month, last month, amount) of each back pay the pull states: the estate's on
    the terminations, the restorations'."""
    paid: list[tuple[str, str, Decimal]] = []
    for item in items:
        payload = item["payload"]
        if item["type"] == "termination/v1" and (
            said := ESTATE.search(payload.get("remarks") or "")
        ):
            paid.append((said[1], said[2], Decimal(said[3])))
        if item["type"] == "restoration/v1":
            paid.append(
                (payload["back_pay_from"][:7], payload["back_pay_to"][:7],
                 Decimal(payload["back_pay_amount"]))
            )  # fmt: skip
    return paid


async def test_the_estate_s_month_is_not_back_paid_again_when_the_death_is_withdrawn(
    tmp_path: Path, aiohttp_client: Any, ledger_url: str | None
) -> None:
    case = cremated_twice(tmp_path, ledger_url, month_day(-3, 3), month_day(-2, 8))
    person = case.person
    number = person["id_number"]
    assert (await case.compare(label(-3)))["reports"] == {"task_opened": 1}
    office = await case.office(aiohttp_client)
    await office.roster(person, paid_through=label(-3))
    await confirmed_death(office, month_day(-3, 3))
    await office.client.close()
    assert (await case.compare(label(-2)))["reports"] == {"linked_to_closed": 1}
    # C1 voided: the death moves to C2's 8th of M(-2)
    assert (await case.compare(label(-1)))["reversals"] == {"no_effect": 1}
    assert (await case.compare(label(0)))["reversals"] == {"restoration_proposed": 1}
    office = await case.office(aiohttp_client)
    (proposal,) = [i for i in await pulled(office) if i["type"] == "restoration_proposal/v1"]
    item = proposal["sequence"]
    assert (await office.decide("restoration-proposals", item, "town-1", "accept"))[0] == 202
    status, body = await office.decide("restoration-proposals", item, "county-1", "approve")
    assert status == 202, body

    items = await pulled(office)
    assert paid_besides_the_roster(items) == [
        (label(-2), label(-2), Decimal("238.00")),  # the estate's, the death moved to M(-2)
        (label(-1), label(-1), Decimal("238.00")),  # the restoration's
    ]
    (restored,) = [i for i in items if i["type"] == "restoration/v1"]
    assert restored["payload"]["restore_from"] == month_day(0).isoformat()
    store = office.client.app[STORE]
    assert await store.counted_months(number, "back_paid") == {label(-2), label(-1)}
    assert await store.counted_months(number, "resumed") == {label(0)}
    await office.client.close()
