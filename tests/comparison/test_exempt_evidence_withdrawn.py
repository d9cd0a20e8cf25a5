"""A 免办 certification whose only evidence its department withdraws stops counting.

238.00 a month. The person last certified in the app on the 15th of M(-14): due M(-2),
liable to suspension from the 1st of M(-1). Health records a medical visit on the 5th of
M(-1) (record H1); the comparison of M(-1) certifies the person (免办, due M(+11)). In the
M(0) feed health voids H1: the visit never happened (another's record, say). Nothing else
proves the person alive since M(-14).

What should be (粤人社规〔2023〕4号: the due month follows the last *passed*
certification): the certification rests on nothing any more, so it stops counting — the
due month goes back to M(-2), the person is overdue (liable from the 1st of M(-1)), and the
province's suspension since the 1st of M(-1) (paid through M(-2)) is not restored before a
certification: back pay of M(-1) (238.00) and payment from M(0) refused
``restoration-other-suspension``, nothing stored.

Before (064c421, strict xfail): the void only reached records a verification task cites
(R-REVERSAL); the 免办 certification stood, the due month stayed M(+11), the person read
``certified`` for 12 more months (12 x 238.00 = 2,856.00 paid without proof of life, never
proposed for suspension) and staff's restoration back-paying M(-1) was approved. Now the
comparison records the void for the certification citing H1 (hub/procedure/exempt_withdrawn.py)
and, H1 its only record, takes it out of the register, folded again from the certification
left (the app's, due M(-2)), in the void's transaction.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from comparisonkit import ComparisonCase
from latekit import label
from procedurekit import month_day, month_end, restoration, today
from reversalkit import PROBLEM, sizes

from certhub.hub.core.keys import STORE
from certhub.hub.rules.months import month_index, month_label


def _now() -> int:
    return month_index(today())


def _certified_in() -> str:
    return month_label(_now() + -14)


def _seen_in() -> str:
    return month_label(_now() + -1)


async def test_a_certification_whose_evidence_is_withdrawn_stops_counting(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    case = ComparisonCase.one_person(tmp_path, 29)
    person = case.person
    number = person["id_number"]
    office = await case.office(aiohttp_client)
    await office.roster(person, paid_through=label(-2))
    await office.certified_in_app(person, f"{_certified_in()}-15T10:00:00+08:00")
    await office.client.close()
    seen = f"H1,{number},某人,,,medical_visit,{_seen_in()}-05,\n"
    assert (await case.compare_health(_seen_in(), seen))["recorded"] == 1
    office = await case.office(aiohttp_client)
    row = await office.client.app[STORE].register_person(number)
    assert row is not None
    assert row.due_month == _now() + 11  # certified by the comparison
    await office.client.close()
    await case.compare_health(label(0), f"V1,{number},某人,,,void,{label(0)}-01,H1\n")

    office = await case.office(aiohttp_client)
    store = office.client.app[STORE]
    since = month_day(-1)
    await office.roster(
        person, status="suspended", suspended_since=since.isoformat(),
        paid_through=label(-2),
    )  # fmt: skip
    request = restoration(
        person, since, back_pay_from=month_day(-1).isoformat(),
        back_pay_to=month_end(-1).isoformat(), back_pay_amount="238.00",
    )  # fmt: skip
    before = await sizes(office)
    status, body = await office.post("/v1/restorations", "town-1", request)
    row = await store.register_person(number)
    assert row is not None
    assert row.due_month == _now() - 2, row  # overdue again
    assert (status, body["type"]) == (409, PROBLEM + "restoration-other-suspension"), body
    assert await sizes(office) == before
    assert await store.counted_months(number, "back_paid") == set()
