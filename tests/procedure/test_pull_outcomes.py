"""The province's pull of the money the hub signs, page by page, on both ledgers.

Died on the 15th of M-3 and confirmed while the roster paid through M0: M-2..M0 = 714.00
(238.00 a month). Recovered 0.01, then 475.99 (476.00); what remains, 238.00, written off
(a request for 238.01 refused, nothing stored). The province pulls ``/v1/outcomes`` two
items a page: each record once, in ledger order, the same as one pull, and each
overpayment record's last version says what the balance says: 714.00, 476.00 recovered,
238.00 written off, nothing remaining. A poller keeping the last page's cursor gets
nothing more, then exactly the records a later death signs. Found correct.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from procedurekit import Office, month_day, recovery, write_off

PROBLEM = "urn:certhub:problem:"


async def _pulled(office: Office, after: str = "", limit: str = "2") -> tuple[list[Any], str]:
    """Every outcome after cursor ``after``, ``limit`` a page: the items and the last cursor."""
    items: list[Any] = []
    while True:
        status, page = await office.get(
            "/v1/outcomes", limit=limit, **({"after": after} if after else {})
        )
        assert status == 200, page
        items += page["items"]
        after = page["next_cursor"] or after
        if not page["has_more"]:
            return items, after


async def _written_off(office: Office, task: str) -> None:
    """238.00 (all that remains) written off: a request for a cent more refused first."""
    offs = f"/v1/overpayments/{task}/write-offs"
    before = await office.ledger_size()
    status, body = await office.post(offs, "det-1", write_off(task, "238.01"))
    assert (status, body["type"]) == (422, PROBLEM + "write-off-amount-mismatch"), body
    assert await office.ledger_size() == before
    status, request = await office.post(offs, "det-1", write_off(task, "238.00"))
    assert status == 202, request
    item = request["sequence"]
    assert (await office.decide("write-offs", item, "town-1", "accept"))[0] == 202
    assert (await office.decide("write-offs", item, "county-1", "approve"))[0] == 202


async def test_the_pull_pages_each_money_record_once_and_adds_up(office_db: Office) -> None:
    office = office_db
    person = office.people.person()
    await office.roster(person)  # paid through M0
    task = await office.confirmed_death(person, month_day(-3, 15))
    for amount in ("0.01", "475.99"):
        status, body = await office.post(
            f"/v1/overpayments/{task}/recoveries", "det-1", recovery(task, amount)
        )
        assert status == 202, body
    await _written_off(office, task)
    paged, cursor = await _pulled(office)
    whole, _ = await _pulled(office, limit="1000")
    assert [i["sequence"] for i in paged] == [i["sequence"] for i in whole]
    assert [i["sequence"] for i in paged] == sorted({i["sequence"] for i in paged})
    money = {
        i["message_id"]: (i["payload"]["amount"], i["payload"]["recovered_amount"],
                          i["payload"]["recovery_status"])
        for i in paged if i["type"] == "overpayment/v1"
    }  # fmt: skip
    base = f"overpayment:{task}"
    assert money == {
        base: ("714.00", "0.00", "pending"),
        f"{base}:r1": ("714.00", "0.01", "partially_recovered"),
        f"{base}:r47600": ("714.00", "476.00", "partially_recovered"),
        f"{base}:written-off": ("714.00", "476.00", "written_off"),
    }
    status, balance = await office.get(f"/v1/overpayments/{task}")
    assert status == 200, balance
    last = money[f"{base}:written-off"]
    assert (balance["amount"], balance["recovered"]) == last[:2]
    assert Decimal(balance["written_off"]) == Decimal(last[0]) - Decimal(last[1])
    assert balance["remaining"] == "0.00"
    status, body = await office.post(
        f"/v1/overpayments/{task}/recoveries", "det-1", recovery(task, "0.01", reference="R9")
    )
    assert (status, body["type"]) == (409, PROBLEM + "overpayment-settled"), body
    # a poller keeping the last cursor: nothing more, then exactly what a later death signs
    assert (await _pulled(office, cursor))[0] == []
    other = office.people.person()
    await office.roster(other)
    second = await office.confirmed_death(other, month_day(-1, 15))
    later, _ = await _pulled(office, cursor)
    assert {i["sequence"] for i in later}.isdisjoint(i["sequence"] for i in paged)
    overpaid = [i for i in later if i["type"] == "overpayment/v1"]
    assert [(i["message_id"], i["payload"]["amount"]) for i in overpaid] == [
        (f"overpayment:{second}", "238.00")  # M0
    ]
