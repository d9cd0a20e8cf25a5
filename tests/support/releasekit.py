"""The release tests' common case, months counted from this month (China time) — in
December 2026 the brief's vectors exactly: on the roster at 238.00, paid through ``M(-1)``;
jailed on the 10th of ``M(-9)`` (``jailed_on()``), confirmed with no end stated:
``M(-8)..M(-1)`` = 8 x 238.00 = 1,904.00 overpaid; the province then suspends the person.
Staff's restoration states the release on the last day of ``M(offset)`` and back-pays
``M(0)`` (238.00). The figures each test relies on are asserted in the test itself."""

from __future__ import annotations

from datetime import date
from typing import Any

from latekit import label
from procedurekit import Office, back_paid_months, month_day, recovery
from suspensionkit import confirmed, release_stated, suspended_paid


def jailed_on() -> date:
    """The day the person is jailed: the 10th of ``M(-9)``, read when called (China time)."""
    return month_day(-9, 10)


async def balance(office: Office, task: str) -> tuple[int, str, str, str, str]:
    """(months, amount, recovered, remaining, status) of the task's overpayment."""
    status, body = await office.get(f"/v1/overpayments/{task}", "county-1")
    assert status == 200, body
    return body["months"], body["amount"], body["recovered"], body["remaining"], body["status"]


async def recovered(office: Office, task: str, amount: str, reference: str) -> tuple[int, Any]:
    """The answer to ``amount`` recovered of the task's overpayment (bank ``reference``)."""
    path = f"/v1/overpayments/{task}/recoveries"
    return await office.post(path, "det-1", recovery(task, amount, reference=reference))


async def jailed_while_paid(
    office: Office, suspended_paid_through: int = -1
) -> tuple[dict[str, Any], str]:
    """A person paid through M(-1), jailed on the 10th of M(-9), confirmed with no end stated, then
    suspended by the province since that day, its entry saying paid through
    M(``suspended_paid_through``): the person and the imprisonment's task."""
    person = office.people.person()
    await office.roster(person, paid_through=label(-1))
    task = await confirmed(office, person, "imprisonment", jailed_on())
    await suspended_paid(office, person, jailed_on(), suspended_paid_through)
    return person, task


async def released_restoration(
    office: Office, person: dict[str, Any], offset: int = -7
) -> dict[str, Any]:
    """Staff's restoration stating the release on the last day of M(``offset``) (a stored
    court judgment) and back-paying M(0) = 238.00, payment resumed from M(1)."""
    released = await release_stated(office, offset)
    return back_paid_months(person, jailed_on(), 0, 0, "238.00", **released)
