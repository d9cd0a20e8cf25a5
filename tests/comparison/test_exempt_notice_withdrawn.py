"""A 免办 notice ("your certification is complete, nothing to do") is not sent once the
certification it announces was withdrawn. SQLite and PostgreSQL.

Two pensioners last certified in the app on the 15th of M(-16) (due M(-4)): overdue. The
M(-1) comparison certifies both on health's medical visits of the 5th of M(-1) (due
M(+11)) and queues each a 免办 notice; the SMS waits in the outbox (the gateway was down,
or the roster had no number yet). Health voids one visit in the M(0) feed: that
certification is withdrawn (due M(-4) again: overdue, no proof of life). Then the notices
go out. Before, both did: the pensioner whose certification was withdrawn was told the
cycle's certification was complete and nothing was needed — so they would not certify, and
their pension is liable to suspension (238.00 a month) while they trust the SMS. Now the
send checks the certification still counts in the register, in front of every sender: one
goes out (the other pensioner's), the other is withdrawn (delivered, nothing sent).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from comparisonkit import exempt_certified
from latekit import label
from procedurekit import today
from reminderkit import delivered

from certhub.hub.comparison.certify import message_id
from certhub.hub.core.keys import NOTICE_SENDER, STORE
from certhub.hub.delivery.notices import LoggingNoticeSender
from certhub.hub.rules.months import month_index, month_label


def _now() -> int:
    return month_index(today())


async def test_a_withdrawn_certification_is_not_announced(
    ledger_url: str | None, tmp_path: Path, aiohttp_client: Any
) -> None:
    case, (voided, kept) = await exempt_certified(
        tmp_path, ledger_url, aiohttp_client, seed=41, count=2, paid_through=label(-1)
    )
    m1 = label(-1)
    void = f"V1,{voided['id_number']},某人,,,void,{month_label(_now())}-01,H1\n"
    withdrawn = await case.compare_health(month_label(_now()), void)
    assert withdrawn["reversals"] == {"certification_withdrawn": 1}, withdrawn

    office = await case.office(aiohttp_client)  # the hub runs: the notices go out now
    app = office.client.app
    store, logged = app[STORE], app[NOTICE_SENDER]
    assert isinstance(logged, LoggingNoticeSender)
    row = await store.register_person(voided["id_number"])
    assert row is not None
    assert row.due_month == _now() - 4
    await delivered(office)  # not drain(): an earlier office's relay may hold a row's lease
    assert await store.pending_notices(100) == []
    announced = {n for n in logged.sent if n.startswith("exempt:")}
    assert announced == {f"exempt:{message_id(m1, kept['id_number'])}"}
    await office.client.close()
