"""A pensioner whose suspension was restored on a 免办 certification its department then
withdrew is proposed for suspension again. SQLite and PostgreSQL. 238.00 a month.

Last certified in the app on the 15th of M(-15) (due M(-3)), suspended by the hub on the
approved proposal from the 1st of M(-2) (the province applied it: paid through M(-3)). The
M(-1) comparison certifies the pensioner on health's medical visit of the 5th of M(-1); the
restoration proposal it opens is approved (back pay M(-2)..M(-1) = 476.00, resumed M(0)) and
the province pays through M(0). Health voids the visit in the M(0) feed: the certification
is withdrawn, due M(-3) again — no proof of life since M(-15). (The restoration approved
stays approved: README, Not-yet replaced.)

Before, the suspension sweep proposed nothing: the cycle's proposal
``suspension-proposal:M(-3):<who>`` was the first one's, approved long ago, so the pensioner
was paid 238.00 a month from M(0) on, for ever, with no proof of life. Now a cycle whose
suspension a restoration ended is proposed again (``…:after:<the last proposal's
sequence>``), liable from the month payment resumed (the 1st of M(0)), once: approved, the
hub signs the suspension from the 1st of M(0); a certification in the app afterwards opens
the restoration proposal of that suspension.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from comparisonkit import ComparisonCase
from notcertifiedkit import open_proposals, restored_then_withdrawn, suspended_again
from procedurekit import month_day


async def test_a_restoration_on_a_withdrawn_certification_is_proposed_again(
    ledger_url: str | None, tmp_path: Path, aiohttp_client: Any
) -> None:
    case = ComparisonCase.one_person(tmp_path, 43, ledger_url)
    person = case.person
    restored = await restored_then_withdrawn(case, aiohttp_client)
    assert restored["back_pay_amount"] == "476.00"

    # proposed again, liable from the month payment resumed
    office, (_, suspension) = await suspended_again(case, aiohttp_client, month_day(0))
    await office.certified_in_app(person)  # alive after all: its restoration proposed
    (proposed,) = await open_proposals(office)
    assert proposed["payload"]["suspension"]["suspension"] == suspension["message_id"]
    await office.client.close()
