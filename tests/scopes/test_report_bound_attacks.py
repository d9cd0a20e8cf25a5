"""Attacks on the bound of a coordinator key's reports (:mod:`certhub.hub.api.report_bound`).

A thief with a phone's key is not a phone: it need not send one report at a
time, wait for each receipt, or send reports at all.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from procedurekit import JOSE, Office, today
from scopekit import A, X

PER_HOUR = 60


def death_report(office: Office) -> dict[str, Any]:
    """A's coordinator reports a new pensioner of village A dead two days ago."""
    person = office.people.person() | {"region": {"county": X, "village": A}}
    return office.people.eligibility_report() | {
        "reason": "death",
        "event_date": (today() - timedelta(days=2)).isoformat(),
        "person": person,
        "region": {"county": X, "village": A},
        "reporter": {"id": "coord-a", "role": "coordinator"},
    }


async def test_reports_sent_all_at_once_pass_the_bound(office: Office) -> None:
    """A thief sends 100 signed reports at once over 100 connections instead of one by
    one: each request reads the key's count before any of the others is recorded, so
    every one of them saw fewer than 60 and all were ledgered. At most 60 may be."""
    signed = [office.sign("coord-a", death_report(office)) for _ in range(100)]

    async def send(body: bytes) -> int:
        response = await office.client.post("/v1/reports", data=body, headers=JOSE)
        await response.read()
        return response.status

    statuses = await asyncio.gather(*(send(body) for body in signed))
    assert sorted(set(statuses)) == [202, 429], statuses
    assert statuses.count(202) == PER_HOUR
