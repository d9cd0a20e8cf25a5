"""Money under concurrency, through the hub's HTTP API: two requests in flight at once, both
planned before either commits (racekit interleaves them at the ledger's append, every time),
leave each month paid or recovered exactly once — the second to commit is refused
(``conflict``, 409, nothing stored) when what it planned on changed meanwhile, and its retry
counts the rest.

238.00 a month (the kit's roster). Died on the 15th of ``M(-3)``; the roster paid through
``M(-2)``, so the confirmation alone overpays ``M(-2)`` = 238.00. The province's entry paid
through ``M(0)``, sent while the confirmation is in flight, shows ``M(-1)..M(0)`` = 476.00 more
paid after the death: 714.00 in all, ``M(-2)..M(0)`` each recovered once. Before, whichever
committed second planned on a ledger without the other: the confirmation counted from the old
entry, or the entry found no termination to add to; both answered 202 and 476.00 was never
recovered.

A restoration's approval planned on the roster as it was: suspended since the 10th of
``M(-4)``, paid through ``M(-4)``, town staff ask to back-pay ``M(-3)..M(-1)`` = 714.00. The
province's entry paid through ``M(-2)`` (it paid ``M(-3)..M(-2)`` itself) commits while the
county's approval is in flight: before, the approval answered 202 and 476.00 was paid twice;
now it is refused (``conflict``) and, decided again, refused for what the entry says
(``restoration-period-invalid``): nothing back-paid.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from latekit import balance, label
from procedurekit import (
    Office,
    back_paid_months,
    evidence_payloads,
    month_day,
    roster_entry,
)
from racekit import (
    CONFIRMATION,
    DECISION,
    ENTRY,
    PROBLEM,
    REPORT,
    approval,
    confirmation,
    hub_processes,
    second_refused,
    sent,
)

from certhub.hub.core.keys import STORE
from certhub.security import SigningKey


@pytest.mark.parametrize(("first", "second"), [(CONFIRMATION, ENTRY), (ENTRY, CONFIRMATION)])
async def test_a_roster_entry_racing_the_confirmation_counts_every_month_once(
    office_db: Office, first: str, second: str
) -> None:
    office = office_db
    store = office.client.app[STORE]
    person = office.people.person()
    await office.roster(person, paid_through=label(-2))
    task = str((await office.reported_death(person, month_day(-3, 15)))["task_id"])
    steps = {
        CONFIRMATION: ("/v1/verification-tasks/" + task + "/transitions", "county-1",
                       confirmation(task, month_day(-3, 15))),
        ENTRY: ("/v1/roster", "province", roster_entry(person, paid_through=label(0))),
    }  # fmt: skip
    # the second, planned on a ledger without the first: refused, nothing of it stored
    sends = sent(office, *steps[first]), sent(office, *steps[second])
    await second_refused(first, second, sends, store)
    status, body, *_ = await sent(office, *steps[second])  # the sender retries
    assert status == 202, body

    assert await balance(office, task) == (200, (3, "714.00", "0.00", "pending"))
    months = {label(-2), label(-1), label(0)}
    assert await store.counted_months(person["id_number"], "recovered") == months


async def test_a_restoration_approved_while_an_entry_shows_the_months_paid_pays_none(
    office_db: Office,
) -> None:
    office = office_db
    person, since, item = await _restoration_accepted(office)
    paid = roster_entry(
        person, status="suspended", suspended_since=since.isoformat(), paid_through=label(-2)
    )
    # decided again on what committed: the roster paid M(-3)..M(-2), back pay refused
    rival = ENTRY, ("/v1/roster", "province", paid)
    await _approval_refused_twice(office, item, *rival, (422, "restoration-period-invalid"))


async def test_a_restoration_approved_while_a_death_is_reported_pays_none(
    office_db: Office,
) -> None:
    """The same request and approval; the city reports the person dead on the 5th of
    ``M(-2)`` while the approval is in flight. Filed first, the report holds the restoration
    (``restoration-verification-open``: nothing restored until the county settles it); before,
    the approval planned without it answered 202 and back-paid 714.00, ``M(-1)`` = 238.00 of
    it to a person reported dead."""
    office = office_db
    person, _, item = await _restoration_accepted(office)
    certificate = await office.upload(evidence_payloads()["pdf"], "application/pdf")
    report = office.death_report(person, month_day(-2, 5), certificate)
    rival = REPORT, ("/v1/reports", "city", report)
    await _approval_refused_twice(office, item, *rival, (409, "restoration-verification-open"))


async def test_two_hub_processes_on_one_database_count_every_month_once(
    aiohttp_client: Callable[..., Any], tmp_path: Path, keys: dict[str, SigningKey]
) -> None:
    """The confirmation through one hub process, the entry through another, one PostgreSQL
    (one deployment: one deployment key): the same vectors, the check under the writers'
    lock."""
    processes = hub_processes(aiohttp_client, tmp_path, keys, ("one", "other"), "certhub_races")
    async with processes as (one, other):
        await _raced_through_two_processes(one, other)


async def _raced_through_two_processes(one: Office, other: Office) -> None:
    """The entry through ``other``, the confirmation through ``one``, one database."""
    person = one.people.person()
    await one.roster(person, paid_through=label(-2))
    task = str((await one.reported_death(person, month_day(-3, 15)))["task_id"])
    path = f"/v1/verification-tasks/{task}/transitions"
    entry = roster_entry(person, paid_through=label(0))
    stores = one.client.app[STORE], other.client.app[STORE]
    sends = (
        sent(one, "/v1/roster", "province", entry, via=other),
        sent(one, path, "county-1", confirmation(task, month_day(-3, 15))),
    )
    await second_refused(ENTRY, CONFIRMATION, sends, *stores)
    status, body, *_ = await sent(
        one, path, "county-1", confirmation(task, month_day(-3, 15)), via=other
    )
    assert status == 202, body
    assert await balance(one, task) == (200, (3, "714.00", "0.00", "pending"))
    months = {label(-2), label(-1), label(0)}
    assert await stores[1].counted_months(person["id_number"], "recovered") == months


async def _restoration_accepted(office: Office) -> tuple[dict[str, Any], date, int]:
    """A person suspended since the 10th of ``M(-4)`` (paid through ``M(-4)``), town staff's
    request to back-pay ``M(-3)..M(-1)`` = 714.00 accepted: the person, since, the item."""
    person, since = office.people.person(), month_day(-4, 10)
    await office.suspended(person, since)
    request = back_paid_months(person, since, -3, -1, "714.00")
    return person, since, await office.accepted("restorations", "town-1", request)


async def _approval_refused_twice(
    office: Office,
    item: int,
    rival_type: str,
    rival: tuple[str, str, dict[str, Any]],
    refused: tuple[int, str],
) -> None:
    """The county's approval of ``item`` planned while ``rival`` (path, party, payload of
    message type ``rival_type``) commits: refused (``conflict``); decided again on what
    committed, refused with ``refused`` (status, problem slug) — nothing of it stored, the
    item still accepted."""
    store = office.client.app[STORE]
    decided = (f"/v1/restorations/{item}/decisions", "county-1", approval(item))
    sends = sent(office, *rival), sent(office, *decided)
    await second_refused(rival_type, DECISION, sends, store)
    status, body, party, jti = await sent(office, *decided)
    assert (status, body.get("type")) == (refused[0], PROBLEM + refused[1]), body
    assert await store.find(party, jti) is None
    assert (await store.get_item(item)).status == "accepted"
