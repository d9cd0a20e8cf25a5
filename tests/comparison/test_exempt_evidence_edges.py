"""Edges of a 免办 certification whose records their departments withdraw (hub/rules/exempt.py).

238.00 a month. The person last certified in the app on the 15th of M(-16) (due M(-4)),
the roster suspended by the province since the 1st of M(-1), paid through M(-2). Health's
medical visits certify the person in the comparison (免办); health's voids withdraw them.
Both ledgers: the withdrawal folds the register again in the void's transaction.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from comparisonkit import ComparisonCase
from procedurekit import Office, month_day, month_end, restoration, today
from reversalkit import PROBLEM, sizes

from certhub.hub.core.keys import STORE
from certhub.hub.rules.months import month_index, month_label


def _now() -> int:
    return month_index(today())


def _m() -> dict[int, str]:
    return {n: month_label(_now() + n) for n in range(-16, 1)}


async def _case(tmp: Path, url: str | None, aiohttp_client: Any) -> tuple[ComparisonCase, str]:
    """The person certified in the app on the 15th of M(-16), the roster paid through M(-4)."""
    case = ComparisonCase.one_person(tmp, 31, url)
    person = case.person
    office = await case.office(aiohttp_client)
    await office.roster(person, paid_through=_m()[-4])
    await office.certified_in_app(person, f"{_m()[-16]}-15T10:00:00+08:00")
    await office.client.close()
    return case, person["id_number"]


async def _due(case: ComparisonCase, aiohttp_client: Any, number: str) -> int | None:
    office = await case.office(aiohttp_client)
    row = await office.client.app[STORE].register_person(number)
    await office.client.close()
    return None if row is None else row.due_month


def _seen(number: str, record: str, day: str) -> str:
    return f"{record},{number},某人,,,medical_visit,{day},\n"


def _void(number: str, record: str, voided: str, day: str) -> str:
    return f"{record},{number},某人,,,void,{day},{voided}\n"


async def _suspended(office: Office, case: ComparisonCase) -> None:
    """The province's entry: suspended since the 1st of M(-1), paid through M(-2)."""
    since = month_day(-1).isoformat()
    await office.roster(case.person, status="suspended", suspended_since=since,
                        paid_through=_m()[-2])  # fmt: skip


async def _restoration(office: Office, case: ComparisonCase) -> tuple[int, dict[str, Any]]:
    """Town staff restore the province's suspension since the 1st of M(-1): M(-1) = 238.00."""
    since = month_day(-1)
    request = restoration(
        case.person, since, back_pay_from=since.isoformat(),
        back_pay_to=month_end(-1).isoformat(), back_pay_amount="238.00",
    )  # fmt: skip
    return await office.post("/v1/restorations", "town-1", request)


async def test_two_voids_in_a_row(
    tmp_path: Path, aiohttp_client: Any, ledger_url: str | None
) -> None:
    """Seen on the 5th and the 12th of M(-3) (H1, H2): due M(+9). H1 voided in M(-2): H2
    stands, it keeps counting (due M(+9)). H2 voided in M(-1): withdrawn, due M(-4) again;
    the restoration back-paying M(-1) is refused, nothing stored. Re-running M(-1) records
    nothing."""
    case, number = await _case(tmp_path, ledger_url, aiohttp_client)
    seen = _seen(number, "H1", f"{_m()[-3]}-05") + _seen(number, "H2", f"{_m()[-3]}-12")
    assert (await case.compare_health(_m()[-3], seen))["recorded"] == 1
    assert await _due(case, aiohttp_client, number) == _now() + 9
    voided = await case.compare_health(_m()[-2], _void(number, "V1", "H1", f"{_m()[-2]}-01"))
    assert voided["reversals"] == {"certification_kept": 1}, voided
    assert await _due(case, aiohttp_client, number) == _now() + 9
    voided = await case.compare_health(_m()[-1], _void(number, "V2", "H2", f"{_m()[-1]}-01"))
    assert voided["reversals"] == {"certification_withdrawn": 1}, voided
    assert await _due(case, aiohttp_client, number) == _now() - 4
    office = await case.office(aiohttp_client)
    await _suspended(office, case)
    before = await sizes(office)
    status, body = await _restoration(office, case)
    assert (status, body["type"]) == (409, PROBLEM + "restoration-other-suspension"), body
    assert await sizes(office) == before
    store = office.client.app[STORE]
    assert await store.counted_months(number, "back_paid") == set()
    assert [r.month for r in await store.register_certifications(number)] == [_now() - 16]
    await office.client.close()
    again = await case.compare_health(_m()[-1], _void(number, "V2", "H2", f"{_m()[-1]}-01"))
    assert again["reversals"] == {"no_task": 1}, again
    assert await _due(case, aiohttp_client, number) == _now() - 4


async def test_a_real_certification_after_the_withdrawal_restores(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    """Seen on the 5th of M(-2) (due M(+10)), voided in M(-1) (due M(-4)), certified in the
    app today: due M(+12), and the restoration back-paying M(-1) (238.00) is accepted."""
    case, number = await _case(tmp_path, None, aiohttp_client)
    assert (await case.compare_health(_m()[-2], _seen(number, "H1", f"{_m()[-2]}-05")))[
        "recorded"
    ] == 1
    voided = await case.compare_health(_m()[-1], _void(number, "V1", "H1", f"{_m()[-1]}-01"))
    assert voided["reversals"] == {"certification_withdrawn": 1}, voided
    assert await _due(case, aiohttp_client, number) == _now() - 4
    office = await case.office(aiohttp_client)
    await office.certified_in_app(case.person)
    row = await office.client.app[STORE].register_person(number)
    assert row is not None
    assert row.due_month == _now() + 12, row
    await _suspended(office, case)
    status, body = await _restoration(office, case)
    assert status == 202, body


async def test_the_record_sent_again_after_its_void(tmp_path: Path, aiohttp_client: Any) -> None:
    """Seen on the 5th of M(-3) (H1, due M(+9)), voided in M(-2) (due M(-4)); health sends
    H1 again in M(-1), dated the 5th of M(-1): the department's word again, certified (due
    M(+11)); voided again in M(0): a void of its own reaches the new certification, due M(-4)."""
    case, number = await _case(tmp_path, None, aiohttp_client)
    assert (await case.compare_health(_m()[-3], _seen(number, "H1", f"{_m()[-3]}-05")))[
        "recorded"
    ] == 1
    voided = await case.compare_health(_m()[-2], _void(number, "V1", "H1", f"{_m()[-2]}-01"))
    assert voided["reversals"] == {"certification_withdrawn": 1}, voided
    assert (await case.compare_health(_m()[-1], _seen(number, "H1", f"{_m()[-1]}-05")))[
        "recorded"
    ] == 1
    assert await _due(case, aiohttp_client, number) == _now() + 11
    voided = await case.compare_health(_m()[0], _void(number, "V2", "H1", f"{_m()[0]}-01"))
    assert voided["reversals"] == {"certification_withdrawn": 1}, voided
    assert await _due(case, aiohttp_client, number) == _now() - 4


async def test_a_later_app_certification_still_counts(tmp_path: Path, aiohttp_client: Any) -> None:
    """Seen on the 5th of M(-2) (due M(+10)), then certified in the app on the 10th of M(-1)
    (due M(+11)): the void in M(0) takes only the comparison's certification out; due M(+11),
    the app's certification the record of its cycle."""
    case, number = await _case(tmp_path, None, aiohttp_client)
    assert (await case.compare_health(_m()[-2], _seen(number, "H1", f"{_m()[-2]}-05")))[
        "recorded"
    ] == 1
    office = await case.office(aiohttp_client)
    app = await office.certified_in_app(case.person, f"{_m()[-1]}-10T10:00:00+08:00")
    await office.client.close()
    voided = await case.compare_health(_m()[0], _void(number, "V1", "H1", f"{_m()[0]}-01"))
    assert voided["reversals"] == {"certification_withdrawn": 1}, voided
    office = await case.office(aiohttp_client)
    store = office.client.app[STORE]
    row = await store.register_person(number)
    assert row is not None, row
    assert (row.due_month, row.last_sequence, row.record_sequence) == (_now() + 11, app, app), row
    assert [(r.month, r.of_record) for r in await store.register_certifications(number)][-1] == (
        _now() - 1,
        app,
    )
