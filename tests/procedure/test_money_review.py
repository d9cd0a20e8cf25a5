"""Money errors found by an adversarial review, each through the HTTP API at 238.00 a month.

Months are counted from this month (China time): ``M(-4)`` is four months ago, ``M(+2)``
two months ahead.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from procedurekit import Office, month_day, month_end, restoration

from certhub.hub.core.keys import STORE

PROBLEM = "urn:certhub:problem:"


def label(offset: int) -> str:
    """``YYYY-MM`` of the month ``offset`` months from this one."""
    return month_day(offset).strftime("%Y-%m")


def back_pay(person: dict[str, Any], since: str, first: int, last: int) -> dict[str, Any]:
    """Staff's restoration of the suspension since ``since``: months ``first``..``last``
    (offsets, inclusive) back-paid at 238.00 each, payment resumed the month after."""
    return restoration(
        person,
        date.fromisoformat(since),
        back_pay_from=month_day(first).isoformat(),
        back_pay_to=month_end(last).isoformat(),
        restore_from=month_day(last + 1).isoformat(),
        back_pay_amount=f"{238 * (last - first + 1)}.00",
    )


async def test_back_pay_never_pays_a_month_that_has_not_come_yet(office: Office) -> None:
    """Suspended on the 3rd of M(-4), paid through M(-4). Back pay is arrears: M(-3)..M(0)
    may be back-paid (4 x 238.00 = 952.00, resumed from M(+1)). A request back-paying
    M(-3)..M(+2) (6 x 238.00 = 1,428.00, resumed from M(+3)) would pay M(+1) and M(+2) —
    476.00 — now, in advance, to someone who may die or be jailed before them: refused,
    nothing stored, no month claimed."""
    person = office.people.person()
    since = month_day(-4, 3).isoformat()
    await office.roster(person, status="suspended", suspended_since=since, paid_through=label(-4))
    store = office.client.app[STORE]
    before = await office.ledger_size()
    status, body = await office.post("/v1/restorations", "town-1", back_pay(person, since, -3, 2))
    assert (status, body.get("type")) == (422, PROBLEM + "restoration-period-invalid"), body
    assert await office.ledger_size() == before
    assert await store.counted_months(person["id_number"], "back_paid") == set()
    # arrears through this month are paid, once
    await office.approved("restorations", "town-1", back_pay(person, since, -3, 0))
    counted = await store.counted_months(person["id_number"], "back_paid")
    assert counted == {label(-3), label(-2), label(-1), label(0)}
