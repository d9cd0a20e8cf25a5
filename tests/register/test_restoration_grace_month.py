"""A restoration in the grace month (``CERTHUB_REGISTER_GRACE_MONTHS=1``): 238.00 a month.

Last certified in the app on the 15th of M(-13): due M(-1), covered through the last day of
M(-1); with a month's grace the pensioner is liable to suspension from the 1st of M(+1)
(``liable_from``; the sweep proposes nothing before it). The province
suspended the benefit from the 1st of M(-3) for a cause of its own (paid through M(-4)).
Staff restore it: back pay of M(-3)..M(-1) = 3 x 238.00 = 714.00, all months the pensioner
was certified for, payment resumed from M(0), the grace month.

Before, the restoration's check read "overdue" as the due month passed (``month > due``),
not as liable: ``restoration-other-suspension`` ("suspended, or would now be, for
non-certification") although with the grace month nobody would now be — the 714.00 owed
waited for a certification the settings did not yet ask for. Now the check reads the
grace months (``ProcedureContext.grace_months``; a voided termination's
``check_not_overdue`` too): 202. Without grace (the default) the same pensioner is liable
from the 1st of M(0) and the refusal stays (second test).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from procedurekit import PARTIES, Office, back_paid_months, month_day, open_office, today

from certhub.hub.core.keys import PROCEDURE, STORE
from certhub.hub.register.suspensions import ProposalSweep
from certhub.hub.rules.months import month_index, month_label
from certhub.hub.rules.restoration_voided import OtherCauses, check_not_overdue
from certhub.schemas import Refusal
from certhub.security import SigningKey

PROBLEM = "urn:certhub:problem:"


async def suspended_in_the_grace_month(
    aiohttp_client: Any, tmp_path: Path, grace: int
) -> tuple[Office, dict[str, Any]]:
    keys = {party: SigningKey.generate() for party in PARTIES}
    office = await open_office(aiohttp_client, tmp_path / "data", keys, register_grace_months=grace)
    person = office.people.person()
    certified_in = month_label(month_index(today()) - 13)
    await office.roster(person, paid_through=month_label(month_index(today()) - 4))
    await office.certified_in_app(person, f"{certified_in}-15T10:00:00+08:00")
    await office.roster(
        person,
        status="suspended",
        suspended_since=month_day(-3).isoformat(),
        paid_through=month_label(month_index(today()) - 4),
    )
    return office, person


async def test_restored_in_the_grace_month(aiohttp_client: Any, tmp_path: Path) -> None:
    office, person = await suspended_in_the_grace_month(aiohttp_client, tmp_path, grace=1)
    app = office.client.app
    sweep = ProposalSweep(app[STORE], app[PROCEDURE].outcomes, grace_months=1)
    assert await sweep.sweep(today()) == 0  # not liable before the 1st of M(+1)
    row = await app[STORE].register_person(person["id_number"])
    assert row is not None
    assert row.due_month == month_index(today()) - 1
    status, body = await office.post(
        "/v1/restorations", "town-1", back_paid_months(person, month_day(-3), -3, -1, "714.00")
    )
    assert status == 202, body


async def test_refused_without_grace(aiohttp_client: Any, tmp_path: Path) -> None:
    office, person = await suspended_in_the_grace_month(aiohttp_client, tmp_path, grace=0)
    before = await office.ledger_size()
    status, body = await office.post(
        "/v1/restorations", "town-1", back_paid_months(person, month_day(-3), -3, -1, "714.00")
    )
    assert (status, body["type"]) == (409, PROBLEM + "restoration-other-suspension"), body
    assert await office.ledger_size() == before


def test_a_voided_termination_reads_the_grace_months_too() -> None:
    due = month_index(today()) - 1
    check_not_overdue(OtherCauses(due, grace_months=1), on=today())  # the grace month
    with pytest.raises(Refusal) as refused:
        check_not_overdue(OtherCauses(due), on=today())
    assert refused.value.slug == "restoration-other-suspension"
    with pytest.raises(Refusal):
        check_not_overdue(OtherCauses(due - 1, grace_months=1), on=today())  # liable
