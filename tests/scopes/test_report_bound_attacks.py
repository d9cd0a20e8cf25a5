"""Attacks on the bound of a coordinator key's reports (:mod:`certhub.hub.api.report_bound`),
and what a coordinator's key may still send without bound (a strict xfail).

A thief with a phone's key is not a phone: it need not send one report at a
time, wait for each receipt, or send reports at all.
"""

from __future__ import annotations

import asyncio
import io
from typing import Any

import pytest
from evidence_samples import png
from hubkit import JOSE
from procedurekit import Office
from scopekit import A, X, coordinators_report

PER_HOUR = 60


def death_report(office: Office) -> dict[str, Any]:
    """A's coordinator reports a new pensioner of village A dead two days ago."""
    person = office.people.person() | {"region": {"county": X, "village": A}}
    return coordinators_report(office, person)


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


@pytest.mark.xfail(strict=True, reason="decision wanted: bound a coordinator's evidence uploads?")
async def test_a_stolen_phone_uploads_evidence_without_bound(office: Office) -> None:
    """Question for the province: how many evidence files may a coordinator's key upload
    in an hour? Its reports are bounded (60 an hour), its uploads are not: a stolen phone,
    before the county revokes it, can fill the evidence vault (each file up to
    CERTHUB_EVIDENCE_MAX_BYTES, kept for years, encrypted) until it cannot write, and then
    every counter's certification with a photo is 503 store-unavailable province-wide. A
    village cites a few photos a month. Proposed: the reports' bound, 60 uploads in any
    rolling hour per coordinator key, the 61st 429 with Retry-After; staff keys unbounded."""
    statuses = []
    for serial in range(PER_HOUR + 1):
        response = await office.client.post(
            "/v1/evidence",
            data=io.BytesIO(png(serial, "a stolen phone's upload")),
            headers={"Content-Type": "image/png", **office.bearer("coord-a", scope="evidence")},
        )
        await response.read()
        statuses.append(response.status)
    assert statuses == [201] * PER_HOUR + [429]
