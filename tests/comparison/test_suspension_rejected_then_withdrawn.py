"""A suspension proposal the county had to reject because the comparison certified the
pensioner is made again once that 免办 certification is withdrawn. SQLite and PostgreSQL.
238.00 a month.

Last certified in the app on the 15th of M(-15) (due M(-3), liable from the 1st of M(-2)),
the province paying through M(-1). The sweep proposes the suspension and town staff accept
it. The M(-1) comparison then certifies the pensioner on health's medical visit of the 5th
of M(-1) (due M(+11)): the county's approval is ``conflict`` ("certified after the
proposal: reject the proposal", README), so the county rejects it. Health voids the visit
in the M(0) feed: the certification is withdrawn, due M(-3) again — no proof of life since
M(-15).

Before, the sweep never proposed the pensioner again: the cycle's proposal
``suspension-proposal:M(-3):<who>`` was rejected, and "a rejected proposal is not made again
for the same cycle" — 238.00 a month paid on, for ever, on a proof of life its department
withdrew (the restoration path's twin, a suspension a withdrawn certification had ended, is
proposed again). Now a rejected proposal is made again (``…:after:<its sequence>``), once,
when a certification recorded after it that counted in the register has been withdrawn
since; liable from the day the first one was (nothing the withdrawn certification proved
stands). Approved: the hub signs ``suspension/v1`` from the 1st of M(-2); nothing is paid
twice and nothing is recovered (M(-2)..M(-1) were paid on a proof that stood then:
README, Certification register, "Decided").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from comparisonkit import ComparisonCase
from latekit import label
from notcertifiedkit import (
    open_proposals,
    overdue_sweep,
    proposed_and_accepted,
    restoration_signed,
    suspended_again,
    visit_voided,
)
from procedurekit import month_day, today
from reversalkit import outcomes

PROBLEM = "urn:certhub:problem:"


async def test_a_proposal_rejected_on_a_withdrawn_certification_is_made_again(
    ledger_url: str | None, tmp_path: Path, aiohttp_client: Any
) -> None:
    case = ComparisonCase.one_person(tmp_path, 67, ledger_url)
    person = case.person
    number = person["id_number"]
    office = await case.office(aiohttp_client)
    first = await proposed_and_accepted(office, person, paid_through=label(-1))
    item = int(first["sequence"])
    assert first["payload"]["liable_from"] == month_day(-2).isoformat()
    await office.client.close()

    seen = f"H1,{number},某人,,,medical_visit,{label(-1)}-05,\n"
    assert (await case.compare_health(label(-1), seen))["recorded"] == 1

    office = await case.office(aiohttp_client)
    status, body = await office.decide("suspension-proposals", item, "county-1", "approve")
    assert (status, body["type"]) == (409, PROBLEM + "conflict"), body  # certified since
    assert (await office.decide("suspension-proposals", item, "county-1", "reject"))[0] == 202
    await office.client.close()

    await visit_voided(case)  # due M(-3) again

    # proposed again, liable as the first (nothing the withdrawn certification proved stands)
    office, (_,) = await suspended_again(case, aiohttp_client, month_day(-2))
    assert await outcomes(office, "overpayment/v1") == []  # paid on a proof that stood then
    # The province applies it (M(-2)..M(-1) were paid); alive after all, the pensioner
    # certifies in the app: that suspension's restoration proposal opens, and approved it
    # pays this month once, 1 x 238.00 (M(-1) paid, nothing earlier owed), resumed M(+1).
    await office.roster(
        person, status="suspended", suspended_since=month_day(-2).isoformat(),
        paid_through=label(-1),
    )  # fmt: skip
    await office.certified_in_app(person)
    (proposed,) = await open_proposals(office)
    restored = await restoration_signed(office, int(proposed["sequence"]))
    assert restored["suspended_since"] == month_day(-2).isoformat()
    assert (restored["back_pay_from"], restored["back_pay_amount"]) == (
        month_day(0).isoformat(),
        "238.00",
    )
    assert restored["restore_from"] == month_day(1).isoformat()
    await office.client.close()


async def test_a_proposal_rejected_with_nothing_withdrawn_is_not_made_again(
    ledger_url: str | None, tmp_path: Path, aiohttp_client: Any
) -> None:
    """The county's own rejection of an overdue pensioner stands for the cycle (README)."""
    case = ComparisonCase.one_person(tmp_path, 71, ledger_url)
    office = await case.office(aiohttp_client)
    item = (await proposed_and_accepted(office, case.person, paid_through=label(-1)))["sequence"]
    assert (await office.decide("suspension-proposals", item, "county-1", "reject"))[0] == 202
    assert await overdue_sweep(office).sweep(today()) == 0
    await office.client.close()
