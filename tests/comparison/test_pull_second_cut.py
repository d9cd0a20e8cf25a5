"""A death moved back twice, as the records joined to its termination are withdrawn one by one.

Civil affairs records a cremation of the 3rd of M-3 (C1); the county confirms the death
(task T) while the roster pays through M0: M-2..M0 = 714.00 (238.00 a month). Civil
affairs then records a second cremation of the person, of the 8th of M-2 (C2, run of
M-2), and the city reports the death on the 20th of M-1 (approved): both are linked to
the termination and join T's sources. 600.00 is recovered. C1 is voided (run of M-1):
the death moves back to the 8th of M-2, M-2 is cut: 476.00, recovered 476.00, 124.00
refunded (``overpayment:T:released`` and ``…:released:voided``). C2 is voided (run of M0):
the death moves back to the 20th of M-1, M-1 is cut too: 238.00, recovered 238.00,
124.00 + 238.00 = 362.00 refunded. With 300.00 recovered and the 414.00 left written off
instead: 476.00, 300.00 recovered, 176.00 written off, nothing refunded; then 238.00,
recovered, nothing written off, 62.00 refunded (300.00 - 62.00 = 238.00 kept: M0).

Before, the second cut signed the first cut's ids again: the ledger refused the void
(``changed meanwhile; retry``, UNIQUE constraint on the message id), the run failed and
M-1 stayed overpaid on a withdrawn record (238.00 taken from the family of a person alive
then). Now a record's n-th cut is ``<record>:released:<n>`` (``…:<n>:voided``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from comparisonkit import ComparisonCase, confirmed_death
from latekit import label
from procedurekit import Office, month_day, write_off
from reversalkit import cremated_twice, outcomes, recovery

from certhub.hub.core.keys import STORE


async def _balance(office: Office, task: str) -> tuple[str, ...]:
    """(amount, recovered, remaining, written off, refunded, status) of ``task``'s overpayment."""
    status, body = await office.get(f"/v1/overpayments/{task}")
    assert status == 200, body
    figures = ("amount", "recovered", "remaining", "written_off", "refunded", "status")
    return tuple(body[k] for k in figures)


async def _confirmed_linked_recovered(
    case: ComparisonCase, person: dict[str, Any], office: Office
) -> str:
    """T confirmed (714.00), C2 and the city's report linked, 600.00 recovered: T."""
    await office.roster(person, paid_through=label(0))
    t = await confirmed_death(office, month_day(-3, 3))
    assert await _balance(office, t) == ("714.00", "0.00", "714.00", "0.00", "0.00", "pending")
    await office.client.close()
    assert (await case.compare(label(-2)))["reports"] == {"linked_to_closed": 1}
    return t


async def _written_off(office: Office, task: str, amount: str) -> None:
    status, request = await office.post(
        f"/v1/overpayments/{task}/write-offs", "det-1", write_off(task, amount)
    )
    assert status == 202, request
    item = request["sequence"]
    assert (await office.decide("write-offs", item, "town-1", "accept"))[0] == 202
    assert (await office.decide("write-offs", item, "county-1", "approve"))[0] == 202


FULLY = (
    ("476.00", "476.00", "0.00", "0.00", "124.00", "recovered"),
    ("238.00", "238.00", "0.00", "0.00", "362.00", "recovered"),
)
WRITTEN_OFF = (  # 300.00 recovered, 414.00 written off: what is kept stays written off
    ("476.00", "300.00", "0.00", "176.00", "0.00", "written_off"),
    ("238.00", "238.00", "0.00", "0.00", "62.00", "recovered"),
)


@pytest.mark.parametrize(
    ("recovered", "written_off", "after"),
    [("600.00", None, FULLY), ("300.00", "414.00", WRITTEN_OFF)],
    ids=["recovered", "written-off"],
)
async def test_a_death_moved_back_twice_cuts_each_month_once_and_refunds_it(  # noqa: PLR0917 - pytest passes the cases by name
    tmp_path: Path,
    aiohttp_client: Any,
    ledger_url: str | None,
    recovered: str,
    written_off: str | None,
    after: tuple[tuple[str, ...], ...],
) -> None:
    case = cremated_twice(tmp_path, ledger_url, month_day(-3, 3), month_day(-2, 8))
    person = case.person
    assert (await case.compare(label(-3)))["reports"] == {"task_opened": 1}
    t = await _confirmed_linked_recovered(case, person, await case.office(aiohttp_client))
    office = await case.office(aiohttp_client)
    report = office.people.eligibility_report() | {
        "reason": "death", "person": person, "event_date": month_day(-1, 20).isoformat(),
        "region": person["region"],
    }  # fmt: skip
    await office.approved_report(report)
    assert await outcomes(office, "termination_amendment/v1") == []  # later: linked
    status, body = await office.post(
        f"/v1/overpayments/{t}/recoveries", "det-1", recovery(t, recovered)
    )
    assert status == 202, body
    if written_off is not None:
        await _written_off(office, t, written_off)
    await office.client.close()
    assert (await case.compare(label(-1)))["reversals"] == {"no_effect": 1}
    office = await case.office(aiohttp_client)
    assert await _balance(office, t) == after[0]
    await office.client.close()
    assert (await case.compare(label(0)))["reversals"] == {"no_effect": 1}
    office = await case.office(aiohttp_client)
    assert await _balance(office, t) == after[1]
    assert await office.client.app[STORE].counted_months(person["id_number"], "recovered") == {
        label(0)
    }
    if written_off is not None:
        await office.client.close()
        return
    # the province's pull: each cut once, its refund said once
    signed = {
        o["message_id"]: (o["payload"]["period_from"][:7], o["payload"]["period_to"][:7],
                          o["payload"]["amount"], o["payload"]["recovered_amount"])
        for o in await outcomes(office, "overpayment/v1")
    }  # fmt: skip
    base = f"overpayment:{t}"
    assert signed == {
        base: (label(-2), label(0), "714.00", "0.00"),
        f"{base}:r60000": (label(-2), label(0), "714.00", "600.00"),
        f"{base}:released": (label(-1), label(0), "476.00", "476.00"),
        f"{base}:released:voided": (label(-2), label(-2), "238.00", "124.00"),
        f"{base}:released:2": (label(0), label(0), "238.00", "238.00"),
        f"{base}:released:2:voided": (label(-1), label(-1), "238.00", "238.00"),
    }
    terminations = [o["payload"]["event_date"] for o in await outcomes(office, "termination/v1")]
    assert terminations == [
        month_day(-3, 3).isoformat(),
        month_day(-2, 8).isoformat(),
        month_day(-1, 20).isoformat(),
    ]
    await office.client.close()
