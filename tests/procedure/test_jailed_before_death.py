"""Through the hub's HTTP API, on SQLite and PostgreSQL: an imprisonment confirmed after the
death it came before recovers the months paid in prison, as it does confirmed first.

238.00 a month (the kit's roster), paid through ``M(0)``. Jailed on the 10th of ``M(-8)``,
reported (the task open); died on the 15th of ``M(-3)``, reported and confirmed first: the
termination recovers ``M(-2)..M(0)`` = 3 x 238.00 = 714.00. The imprisonment then
confirmed: the months after the jailing's month that no disposal recovers yet,
``M(-7)..M(-3)`` = 5 x 238.00 = 1,190.00, paid to a prisoner. Confirmed in the other order,
the imprisonment recovers ``M(-7)..M(0)`` = 1,904.00 and the death nothing: 1,904.00 either
way. Before, the imprisonment confirmed second recovered nothing ("benefit already
terminated"): 1,190.00 paid in prison never recovered, the money depending on which task
the county happened to confirm first. The same for another pension drawn, a nationality
lost or a death before a termination of another cause (a disappearance is owed its months,
test_found_terminated.py; a death before a death is an amendment, test_death_amended.py).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from latekit import balance, label, signed
from procedurekit import Office, month_day, month_end, sent_in_time
from questionkit import decision_wanted
from suspensionkit import confirmed

from certhub.hub.core.keys import NOTICE_SENDER
from certhub.hub.delivery.notices import LoggingNoticeSender


async def test_confirmed_after_the_death_it_recovers_the_prison_months(office_db: Office) -> None:
    office = office_db
    person = office.people.person()
    await office.roster(person, paid_through=label(0))
    jailed = await office.reported(person, "imprisonment", month_day(-8, 10))
    death = await office.confirmed_death(person, month_day(-3, 15))
    assert await balance(office, death) == (200, (3, "714.00", "0.00", "pending"))

    status, body = await office.step(
        jailed, "county-1", "confirmed", event_date=month_day(-8, 10).isoformat()
    )
    assert status == 202, body
    assert await balance(office, jailed) == (200, (5, "1190.00", "0.00", "pending"))
    first, last = month_day(-7).isoformat(), month_end(-3).isoformat()
    assert await signed(office, jailed) == {f"overpayment:{jailed}": (first, last, 5, "1190.00")}
    # the death's months stay the death's; no suspension is signed over the termination
    assert await balance(office, death) == (200, (3, "714.00", "0.00", "pending"))
    _, page = await office.get("/v1/outcomes", limit="1000")
    kinds = [o["type"] for o in page["items"] if o["payload"].get("task_id") == jailed]
    assert "suspension/v1" not in kinds, kinds
    size = await office.ledger_size()  # confirmed again (a new message): refused, nothing more
    again = await office.step(
        jailed, "county-1", "confirmed", event_date=month_day(-8, 10).isoformat()
    )
    assert again[0] == 409, again
    assert await office.ledger_size() == size
    assert await balance(office, jailed) == (200, (5, "1190.00", "0.00", "pending"))


async def test_confirmed_first_it_recovers_the_same_sum(office_db: Office) -> None:
    office = office_db
    person = office.people.person()
    await office.roster(person, paid_through=label(0))
    jailed = await office.reported(person, "imprisonment", month_day(-8, 10))
    status, body = await office.step(
        jailed, "county-1", "confirmed", event_date=month_day(-8, 10).isoformat()
    )
    assert status == 202, body
    death = await office.confirmed_death(person, month_day(-3, 15))
    assert await balance(office, jailed) == (200, (8, "1904.00", "0.00", "pending"))
    assert (await balance(office, death))[0] == 404


@pytest.mark.parametrize("earlier", ["imprisonment", "duplicate_receipt", "loss_of_nationality"])
async def test_months_a_late_entry_shows_paid_are_recovered_under_the_death(
    office_db: Office, earlier: str
) -> None:
    """Jailed (another pension drawn, a nationality lost) since the 10th of M(-8), confirmed
    after the death of the 15th of M(-3), both while paid through M(-9): nothing overpaid;
    an entry paid through M(0): the death's M(-2)..M(0) = 714.00 and the earlier cause's
    M(-7)..M(-3) = 1,190.00, as when it is confirmed first
    (test_late_roster_two_suspensions). Before, the cause confirmed under the termination
    signed no suspension or termination, so the entry read nothing of it: the 1,190.00
    was recovered by no task."""
    office = office_db
    person = office.people.person()
    await office.roster(person, paid_through=label(-9))
    first = await office.reported(person, earlier, month_day(-8, 10))
    death = await office.confirmed_death(person, month_day(-3, 15))
    status, body = await office.step(
        first, "county-1", "confirmed", event_date=month_day(-8, 10).isoformat()
    )
    assert status == 202, body
    later = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
    await office.roster(person, paid_through=label(0), as_of=later)
    assert await balance(office, death) == (200, (3, "714.00", "0.00", "pending"))
    assert await balance(office, first) == (200, (5, "1190.00", "0.00", "pending"))


TERMINATING = ("death", "duplicate_receipt", "loss_of_nationality")


@pytest.mark.parametrize(
    ("earlier", "later"),
    [
        (first, then)
        for first in ("duplicate_receipt", "loss_of_nationality", "death")
        for then in TERMINATING
        if first != then
    ],
)
async def test_a_cause_before_the_termination_recovers_its_months_too(
    office_db: Office, earlier: str, later: str
) -> None:
    """Another pension drawn (a nationality lost, a death) since the 10th of M(-8), the
    termination in force for ``later`` on the 15th of M(-3): M(-7)..M(-3) = 1,190.00 were not
    payable either, and are recovered once, as when ``earlier`` is confirmed first."""
    office = office_db
    person = office.people.person()
    await office.roster(person, paid_through=label(0))
    first = await office.reported(person, earlier, month_day(-8, 10))
    if later == "death":
        ended = await office.confirmed_death(person, month_day(-3, 15))
    else:
        ended = await confirmed(office, person, later, month_day(-3, 15))
    assert await balance(office, ended) == (200, (3, "714.00", "0.00", "pending"))

    status, body = await office.step(
        first, "county-1", "confirmed", event_date=month_day(-8, 10).isoformat()
    )
    assert status == 202, body
    assert await balance(office, first) == (200, (5, "1190.00", "0.00", "pending"))
    assert await balance(office, ended) == (200, (3, "714.00", "0.00", "pending"))


@decision_wanted(
    "a death confirmed while another cause's termination stands (a"
    " duplicate receipt) queues no SMS: the family is never told to claim the funeral grant"
    " and the account's balance; the text would say the benefit ended on the death's day,"
    " the termination in force another"
)
async def test_a_death_under_another_termination_tells_the_family(office_db: Office) -> None:
    office = office_db
    person = office.people.person()
    await office.roster(person, paid_through=label(0), contact_mobile="13800138000")
    dead = await office.reported(person, "death", month_day(-8, 10))
    await confirmed(office, person, "duplicate_receipt", month_day(-3, 15))
    status, body = await office.step(
        dead, "county-1", "confirmed", event_date=month_day(-8, 10).isoformat()
    )
    assert status == 202, body
    notifier = office.client.app[NOTICE_SENDER]
    assert isinstance(notifier, LoggingNoticeSender)
    text = await sent_in_time(notifier.sent, f"termination:{dead}", seconds=3)
    assert "丧葬补助金" in text
