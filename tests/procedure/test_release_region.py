"""Through the hub's HTTP API: a prisoner's release restored by staff is filed in the region
of the hub's imprisonment suspension it ends, whatever day the province suspended from
(238.00 a month, months counted from this one, China time; both ledgers).

Jailed on the 10th of M(-9) in county A (荔湾区), the county confirms it (the hub signs the
suspension in A); the province suspended the person from the 1st of M(-9), its own day,
paid through M(-9). The roster then moves the person to county B (福田区). Released on the
last day of M(-7): M(-8)..M(-7) are prison months; back pay M(-6)..M(-1) = 6 x 238.00 =
1428.00, resumed from M(0). The restoration states the roster's day (the 1st of M(-9)), not
the hub's suspension's, and its approval ends the hub's imprisonment all the same
(``restoration-no-imprisonment`` after it) - so it restores the suspension county A signed
and county A's readers pulled.
"""

from __future__ import annotations

from procedurekit import Office, month_day, restoration
from reversalkit import refused
from suspensionkit import confirmed, release_stated

A = {"county": "440103", "village": "440103001201"}  # 荔湾区
B = {"county": "440304", "village": "440304001201"}  # 福田区, another city


async def test_a_release_names_the_region_of_the_imprisonment_it_ends(
    office_on_ledger: Office,
) -> None:
    office = office_on_ledger
    person = office.people.person() | {"region": A}
    await office.suspended(person, month_day(-9))
    await confirmed(office, person, "imprisonment", month_day(-9, 10))  # no end stated
    await office.suspended(person | {"region": B}, month_day(-9))  # the roster moved the person
    release = await release_stated(office, -7)

    def filed(region: dict[str, str]) -> dict[str, object]:
        # back pay M(-6)..M(-1) = 6 x 238.00 = 1428.00, resumed from M(0)
        since = {"back_pay_from": month_day(-6).isoformat(), "back_pay_amount": "1428.00"}
        return restoration(person | {"region": region}, month_day(-9), **since) | release

    # before: 202 in county B, ending county A's imprisonment suspension unseen by county A
    post = office.post
    await refused(office, post("/v1/restorations", "town-1", filed(B)), 422,
                  "restoration-region-mismatch")  # fmt: skip
    await office.approved("restorations", "town-1", filed(A))
    _, page = await office.get("/v1/restorations")
    (restored,) = page["items"]
    assert restored["payload"]["back_pay_amount"] == "1428.00"
    assert restored["payload"]["person"]["region"] == A
    # the approval ended the hub's imprisonment (it was the record this restored): what is
    # left is the province's entry, in county B
    await refused(office, post("/v1/restorations", "town-1", filed(B)), 409,
                  "restoration-no-imprisonment")  # fmt: skip
    await office.client.close()  # before the database is dropped
