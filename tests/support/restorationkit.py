"""The restoration procedure tests' common case, months counted from this month (China
time), ``M(-4)`` four months ago, 238.00 a month: the province suspended a person on the
10th of ``M(-4)`` (paid through ``M(-4)``), and town staff's restoration back-pays
``M(-3)..M(-1)`` = 3 x 238.00 = 714.00, payment resumed this month."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from procedurekit import Office, month_day, month_end, restoration

PROBLEM = "urn:certhub:problem:"
Request = Callable[[], Awaitable[tuple[int, dict[str, Any]]]]


async def suspended_with_restoration(office: Office) -> tuple[dict[str, Any], dict[str, Any]]:
    """The person the province suspended since the 10th of M(-4), and staff's restoration
    of M(-3)..M(-1) = 714.00 (not filed yet)."""
    person = office.people.person()
    since = month_day(-4, 10)
    await office.suspended(person, since)
    payload = restoration(person, since)
    assert (payload["back_pay_from"], payload["back_pay_to"], payload["back_pay_amount"]) == (
        month_day(-3).isoformat(),
        month_end(-1).isoformat(),
        "714.00",
    )
    return person, payload


async def filed_restoration(office: Office, payload: dict[str, Any]) -> int:
    """Staff's restoration ``payload`` filed by town staff and not decided: its item."""
    status, receipt = await office.post("/v1/restorations", "town-1", payload)
    assert status == 202, receipt
    return int(receipt["sequence"])


async def refused_unstored(office: Office, slug: str, request: Request) -> dict[str, Any]:
    """``request()`` answers 409 ``slug`` and the ledger holds no more records than before:
    the problem's body."""
    size = await office.ledger_size()
    status, body = await request()
    assert (status, body["type"]) == (409, PROBLEM + slug), body
    assert await office.ledger_size() == size
    return body
