"""A month from a restoration's ``restore_from`` on is paid by the province, never back pay too.

An approved restoration tells the province to resume payment from ``restore_from``;
the hub's copy of the roster says suspended until the province's next entry. Meanwhile
a second restoration of the same suspension back-paying a month from that day on would
pay it twice (back pay here, the regular payment there): ``months-already-counted``,
nothing stored. A suspension the province began after the resumption is restored as any.
Months are counted from this month (China time), ``M(-4)`` four months ago.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from procedurekit import Office, month_day, month_end, restoration, today

from certhub.hub.core.keys import STORE

PROBLEM = "urn:certhub:problem:"


def month(offset: int) -> tuple[int, int]:
    """(year, month) ``offset`` months from this one, computed apart from the hub's months."""
    index = today().year * 12 + today().month - 1 + offset
    return index // 12, index % 12 + 1


def label(offset: int) -> str:
    year, number = month(offset)
    return f"{year:04d}-{number:02d}"


def restoring(person: dict[str, Any], since: date, back: tuple[int, int]) -> dict[str, Any]:
    """Staff's restoration of the suspension since ``since``: months ``back`` (offsets,
    inclusive) back-paid at 238.00 each, payment resumed the month after."""
    count = back[1] - back[0] + 1
    return restoration(
        person,
        since,
        back_pay_from=month_day(back[0]).isoformat(),
        back_pay_to=month_end(back[1]).isoformat(),
        restore_from=month_day(back[1] + 1).isoformat(),
        back_pay_amount=f"{238 * count}.00",
    )


async def test_a_restored_suspension_is_not_back_paid_again_from_its_restore_from(
    office: Office,
) -> None:
    person = office.people.person()
    number = person["id_number"]
    store = office.client.app[STORE]
    since = month_day(-4, 3)
    await office.roster(
        person, status="suspended", suspended_since=since.isoformat(), paid_through=label(-4)
    )
    await office.approved("restorations", "town-1", restoring(person, since, (-3, -3)))
    assert await store.counted_months(number, "back_paid") == {label(-3)}

    # the hub's roster still says suspended since M(-4): the province pays from M(-2) on
    before = await office.ledger_size()
    status, body = await office.post(
        "/v1/restorations", "town-1", restoring(person, since, (-2, -1))
    )
    assert (status, body["type"]) == (409, PROBLEM + "months-already-counted"), body
    assert label(-2) in body["detail"], body
    assert await office.ledger_size() == before
    assert await store.counted_months(number, "back_paid") == {label(-3)}

    # the province resumed in M(-2) and suspended again on the 10th: that one is restorable
    again = month_day(-2, 10)
    await office.roster(
        person, status="suspended", suspended_since=again.isoformat(), paid_through=label(-2)
    )
    await office.approved("restorations", "town-1", restoring(person, again, (-1, -1)))
    assert await store.counted_months(number, "back_paid") == {label(-3), label(-1)}


async def test_a_rejected_restoration_pays_and_resumes_nothing(office: Office) -> None:
    person = office.people.person()
    since = month_day(-4, 3)
    await office.roster(
        person, status="suspended", suspended_since=since.isoformat(), paid_through=label(-4)
    )
    status, body = await office.post(
        "/v1/restorations", "town-1", restoring(person, since, (-3, -1))
    )
    assert status == 202, body
    item = int(body["sequence"])
    assert (await office.decide("restorations", item, "county-1", "reject"))[0] == 202
    # the same months, resumed in the same month, filed again once the first is rejected
    await office.approved("restorations", "town-1", restoring(person, since, (-3, -1)))
    counted = await office.client.app[STORE].counted_months(person["id_number"], "back_paid")
    assert counted == {label(-3), label(-2), label(-1)}
