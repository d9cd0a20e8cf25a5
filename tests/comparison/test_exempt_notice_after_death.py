"""A 免办 notice ("your certification is complete, nothing to do") is not sent once the next
month's feed shows the pensioner dead. SQLite and PostgreSQL.

Three pensioners on the roster (238.00 a month, paid through M(0), a mobile number each),
last certified in the app on the 15th of M(-16) (due M(-4)): overdue. The M(-1) comparison
certifies all three on health's medical visits of the 5th of M(-1) (due M(+11)) and queues
each a 免办 notice; the SMS waits in the outbox (the gateway was down). The M(0) feed
brings civil affairs' cremations of two of them, dated inside M(-1) (the 20th and the
25th): a death task each. The county confirms the first (died the 20th of M(-1)): the
hub's termination stands, and M(0), paid after the death's month, is overpaid: 1 x 238.00
= 238.00. The second's task is still open. Then the notices go out.

Before, all three did: the family of a pensioner the hub had just found dead, and of one
the departments report cremated, were told the pensioner's certification was complete and
nothing was needed — the very people the comparison itself would no longer certify
(``benefit_closed``, ``task_open``: "not certified, and no 免办 SMS"). Now the send asks
the same holds the recording asked: one goes out (the third pensioner's), the other two are
withdrawn (nothing sent).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from comparisonkit import HEADER, exempt_certified, roster_csv
from latekit import label
from procedurekit import today
from reminderkit import sent_through_checks

from certhub.hub.comparison.certify import message_id
from certhub.hub.core.keys import STORE
from certhub.hub.rules.comparison import EXEMPT_KIND, exempt_notice_id, exempt_text
from certhub.hub.rules.months import month_index, month_label


def _now() -> int:
    return month_index(today())


async def test_no_exempt_notice_to_the_family_of_a_pensioner_found_dead(
    ledger_url: str | None, tmp_path: Path, aiohttp_client: Any
) -> None:
    roster = {"paid_through": month_label(_now()), "contact_mobile": "13800138000"}
    case, people = await exempt_certified(
        tmp_path, ledger_url, aiohttp_client, seed=43, count=3, **roster
    )
    dead, reported, alive = people
    m1, m0 = label(-1), month_label(_now())
    folder = tmp_path / m0
    folder.mkdir()
    (folder / "roster.csv").write_text(roster_csv(people), encoding="utf-8")
    cremations = (
        f"C1,{dead['id_number']},某人,,,cremation,{m1}-20,\n"
        f"C2,{reported['id_number']},某人,,,cremation,{m1}-25,\n"
    )
    (folder / "civil_affairs.csv").write_text(HEADER + cremations, encoding="utf-8")
    assert (await case.compare(m0))["reports"] == {"task_opened": 2}

    office = await case.office(aiohttp_client)
    status, page = await office.get("/v1/verification-tasks", status="open")
    assert status == 200, page
    (task,) = [t for t in page["items"] if t["person"]["id_number"] == dead["id_number"]]
    status, body = await office.step(
        task["task_id"], "county-1", "confirmed", event_date=f"{m1}-20"
    )
    assert status == 202, body
    status, owed = await office.get(f"/v1/overpayments/{task['task_id']}")
    assert status == 200, owed
    assert owed["amount"] == "238.00"  # M(0) paid after the death's month M(-1): 1 x 238.00

    store = office.client.app[STORE]
    for person in people:  # the three certifications still count in the register
        row = await store.register_person(person["id_number"])
        assert row is not None
        assert row.due_month == _now() + 11
    notices = [
        (exempt_notice_id(message_id(m1, p["id_number"])), p["id_number"], EXEMPT_KIND,
         exempt_text(p["name"]))
        for p in people
    ]  # fmt: skip
    sent = await sent_through_checks(office, notices)
    assert sent == [exempt_notice_id(message_id(m1, alive["id_number"]))]
    await office.client.close()
