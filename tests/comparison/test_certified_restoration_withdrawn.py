"""The hub's restoration proposal opened by a 免办 certification its department then
withdraws pays nothing, and a real certification afterwards gets the suspension restored.
SQLite and PostgreSQL. 238.00 a month.

Last certified in the app on the 15th of M(-15) (due M(-3)), suspended by the hub on the
approved proposal from the 1st of M(-2) (the province applied it: paid through M(-3)).
The M(-1) comparison certifies the pensioner on health's medical visit of the 5th of M(-1)
(due M(+11)), and in that certification's transaction the hub opens the
``restoration_proposal/v1`` of the suspension. Health voids the visit in the M(0) feed:
the certification is withdrawn (due M(-3) again: no proof of life since M(-15)). Accepting
the proposal is then ``restoration-other-suspension`` (nothing stored, nothing paid: found
correct).

Town staff reject that proposal (its proof of life is gone), and the pensioner certifies
in the app today (due M(+12)). Before, no proposal opened: its id
``restoration-proposal:<suspension>`` was the rejected one's, so the living pensioner stayed
suspended (M(-2)..M(-1) = 476.00 owed, and from M(0) 238.00 a month unpaid) until staff
noticed and filed a restoration themselves. Now a certification ending the suspension after
the proposal of it was rejected opens a new one (``…:after:<the rejected one's sequence>``),
one at a time: accepted and approved, back pay M(-2)..M(-1) = 476.00, resumed M(0). Left
open instead, the stale proposal is the one: the app certification opens none, and approved
it back-pays the same 476.00 once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from comparisonkit import ComparisonCase
from latekit import label
from notcertifiedkit import (
    certified_by_the_comparison,
    open_proposals,
    restoration_signed,
    visit_voided,
)
from procedurekit import Office, month_day, today
from reversalkit import PROBLEM, outcomes

from certhub.hub.core.keys import STORE
from certhub.hub.rules.months import month_index


def _now() -> int:
    return month_index(today())


async def _withdrawn(
    tmp: Path, aiohttp_client: Any, ledger_url: str | None
) -> tuple[Office, dict[str, Any], int]:
    """The pensioner suspended by the hub, certified by the M(-1) comparison (the proposal
    opened), the visit voided in M(0): an office, the person, the proposal's item."""
    case = ComparisonCase.one_person(tmp, 37, ledger_url)
    person = case.person
    await certified_by_the_comparison(case, aiohttp_client)
    await visit_voided(case)
    office = await case.office(aiohttp_client)
    (proposal,) = await open_proposals(office)
    assert proposal["payload"]["suspension"]["certified_on"] == f"{label(-1)}-05"
    row = await office.client.app[STORE].register_person(person["id_number"])
    assert row is not None
    assert row.due_month == _now() - 3  # no proof of life since M(-15)
    return office, person, int(proposal["sequence"])


async def _stored(office: Office) -> tuple[int, int]:
    """(ledger records, audit entries but the SMS delivered meanwhile: the 免办 notice, queued
    by the comparison's run and delivered - withdrawn, its records voided - once the hub runs)."""
    audit = await office.client.app[STORE].audit_entries(0, 1_000_000)
    delivery = {"notice_sent", "notice_withdrawn"}
    return await office.ledger_size(), sum(e.action not in delivery for e in audit)


async def _restored(office: Office, person: dict[str, Any], item: int) -> None:
    """Proposal ``item`` accepted and approved: M(-2)..M(-1) = 476.00 back-paid, once."""
    signed = await restoration_signed(office, item)
    assert (signed["back_pay_from"], signed["back_pay_amount"]) == (
        month_day(-2).isoformat(),
        "476.00",
    )
    assert signed["restore_from"] == month_day(0).isoformat()
    store = office.client.app[STORE]
    assert await store.counted_months(person["id_number"], "back_paid") == {label(-2), label(-1)}


async def test_a_withdrawn_certification_restores_nothing_until_a_real_one(
    ledger_url: str | None, tmp_path: Path, aiohttp_client: Any
) -> None:
    office, person, item = await _withdrawn(tmp_path, aiohttp_client, ledger_url)
    before = await _stored(office)
    status, body = await office.decide("restoration-proposals", item, "town-1", "accept")
    assert (status, body["type"]) == (409, PROBLEM + "restoration-other-suspension"), body
    assert await _stored(office) == before
    assert await outcomes(office, "restoration/v1") == []

    await office.certified_in_app(person)  # alive: the stale proposal is the one
    assert [int(p["sequence"]) for p in await open_proposals(office)] == [item]
    await _restored(office, person, item)
    await office.client.close()


async def test_a_real_certification_after_the_rejection_proposes_again(
    ledger_url: str | None, tmp_path: Path, aiohttp_client: Any
) -> None:
    office, person, item = await _withdrawn(tmp_path, aiohttp_client, ledger_url)
    assert (await office.decide("restoration-proposals", item, "town-1", "reject"))[0] == 202
    assert await open_proposals(office) == []

    await office.certified_in_app(person)  # alive, proved in the app today
    (proposal,) = await open_proposals(office)
    assert proposal["payload"]["suspension"]["certified_on"] == today().isoformat()
    assert proposal["message_id"].endswith(f":after:{item}")
    await office.certified_in_app(person)  # again: no third
    assert len(await outcomes(office, "restoration_proposal/v1")) == 2
    await _restored(office, person, int(proposal["sequence"]))
    await office.client.close()
