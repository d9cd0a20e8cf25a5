"""The months paid on a restoration whose 免办 certification was withdrawn are recovered
when the pensioner's death before them is confirmed. SQLite and PostgreSQL. 238.00 a month.

As in test_restored_then_withdrawn: last certified in the app on the 15th of M(-15) (due
M(-3)), suspended by the hub from the 1st of M(-2), certified by the M(-1) comparison on a
medical visit of the 5th of M(-1), the restoration proposal approved (back pay
M(-2)..M(-1) = 476.00, resumed M(0)), the province paying through M(0); health voids the
visit in the M(0) feed (due M(-3) again). Those three months were paid without a proof of
life that stands, and nothing records them as owed back: paying a pensioner who has not
certified is not an overpayment (the suspension only waits for the proof; certified, the
months are owed), only paying after a loss of eligibility is. So they become one when it
is found: the city reports the pensioner cremated on the 3rd of M(-3), the county confirms
the death - the hub terminates the benefit and records M(-2)..M(0) = 3 x 238.00 = 714.00
overpaid, the back pay and the month resumed included, each month once.

Alive after all: proposed for suspension again (liable from the 1st of M(0)), approved, the
province applies it (suspended since the 1st of M(0), M(0) paid), the pensioner certifies in
the app in M(0). Not yet (strict xfail): the restoration back-pays M(+1) = 238.00, a month
not yet due, and resumes from M(+2), instead of nothing to back-pay and resumed from
M(+1) (no month paid twice either way).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from comparisonkit import ComparisonCase
from latekit import label
from notcertifiedkit import open_proposals, restored_then_withdrawn
from procedurekit import Office, month_day, month_end, today
from reversalkit import outcomes

from certhub.hub.core.keys import PROCEDURE, STORE
from certhub.hub.register.suspensions import ProposalSweep


async def _voided(
    ledger_url: str | None, tmp: Path, aiohttp_client: Any, seed: int
) -> tuple[dict[str, Any], Office]:
    """The pensioner of ``seed`` restored on the M(-1) comparison's certification (476.00,
    resumed M(0), the province paying through M(0)), the visit voided in the M(0) feed: due
    M(-3) again. The person and an office."""
    case = ComparisonCase.one_person(tmp, seed, ledger_url)
    assert (await restored_then_withdrawn(case, aiohttp_client))["back_pay_amount"] == "476.00"
    return case.person, await case.office(aiohttp_client)


async def test_the_months_paid_on_a_withdrawn_restoration_are_recovered_on_a_death(
    ledger_url: str | None, tmp_path: Path, aiohttp_client: Any
) -> None:
    person, office = await _voided(ledger_url, tmp_path, aiohttp_client, seed=53)
    number = person["id_number"]
    store = office.client.app[STORE]
    assert await store.counted_months(number, "back_paid") == {label(-2), label(-1)}
    assert await outcomes(office, "overpayment/v1") == []  # owed back only once found dead
    task = await office.reported_death(person, month_day(-3, 3))
    status, body = await office.step(
        task["task_id"], "county-1", "confirmed", event_date=month_day(-3, 3).isoformat()
    )
    assert status == 202, body
    (overpayment,) = await outcomes(office, "overpayment/v1")
    paid = overpayment["payload"]
    assert (paid["period_from"], paid["period_to"]) == (
        month_day(-2).isoformat(),
        month_end(0).isoformat(),
    )
    assert (paid["months"], paid["monthly_amount"], paid["amount"]) == (3, "238.00", "714.00")
    assert await store.counted_months(number, "recovered") == {label(-2), label(-1), label(0)}
    await office.client.close()


@pytest.mark.xfail(
    strict=True,
    reason="Not yet (README, Certification register): suspended from the 1st of M(0) with "
    "M(0) paid, certified in M(0), the restoration back-pays M(+1) and resumes from M(+2)",
)
async def test_the_month_resumed_is_not_paid_again_when_they_certify(
    ledger_url: str | None, tmp_path: Path, aiohttp_client: Any
) -> None:
    person, office = await _voided(ledger_url, tmp_path, aiohttp_client, seed=59)
    number = person["id_number"]
    app = office.client.app
    sweep = ProposalSweep(app[STORE], app[PROCEDURE].outcomes, grace_months=0)
    assert await sweep.sweep(today()) == 1
    _, again = await outcomes(office, "suspension_proposal/v1")
    item = int(again["sequence"])
    assert (await office.decide("suspension-proposals", item, "town-1", "accept"))[0] == 202
    status, body = await office.decide("suspension-proposals", item, "county-1", "approve")
    assert status == 202, body
    await office.suspended(person, month_day(0))  # the province applied it: M(0) paid
    await office.certified_in_app(person)  # alive after all, this month
    (proposed,) = await open_proposals(office)
    item = int(proposed["sequence"])
    assert (await office.decide("restoration-proposals", item, "town-1", "accept"))[0] == 202
    assert (await office.decide("restoration-proposals", item, "county-1", "approve"))[0] == 202
    _, restored = await outcomes(office, "restoration/v1")
    assert restored["payload"]["restore_from"] == month_day(1).isoformat()  # M(0) was paid
    assert await app[STORE].counted_months(number, "back_paid") == {label(-2), label(-1)}
    await office.client.close()
