"""Attacks on the bound of a coordinator key's reports (:mod:`certhub.hub.api.report_bound`),
and of the same bound on a coordinator's evidence uploads.

A thief with a phone's key is not a phone: it need not send one report at a
time, wait for each receipt, or send reports at all.
"""

from __future__ import annotations

import asyncio
import io
from typing import Any

from aiohttp import ClientResponse
from evidence_samples import png
from hubkit import JOSE
from procedurekit import Office
from scopekit import A, X, coordinators_report

from certhub.schemas import problem_type_uri

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


async def test_a_stolen_phone_uploads_evidence_without_bound(office: Office) -> None:
    """Decided: a coordinator stores at most CERTHUB_COORDINATOR_UPLOADS_PER_HOUR (60) new
    evidence files in any rolling hour, the 61st is 429 uploads-rate-limited with
    Retry-After; staff keys are unbounded. Unbounded, a stolen phone, before the county
    revokes it, could fill the evidence vault (each file up to CERTHUB_EVIDENCE_MAX_BYTES,
    kept for years, encrypted) until it cannot write, and then every counter's
    certification with a photo is 503 store-unavailable province-wide; a village cites a
    few photos a month, so the reports' bound (60 an hour) costs no village anything."""
    statuses = []
    for serial in range(PER_HOUR + 1):
        response = await upload(office, "coord-a", serial)
        await response.read()
        statuses.append(response.status)
    assert statuses == [201] * PER_HOUR + [429]


async def upload(office: Office, party: str, serial: int) -> ClientResponse:
    """``party`` uploads a PNG of its own, different for each ``serial``."""
    return await office.client.post(
        "/v1/evidence",
        data=io.BytesIO(png(serial % 256, f"a stolen phone's upload {serial}")),
        headers={"Content-Type": "image/png", **office.bearer(party, scope="evidence")},
    )


async def test_uploads_sent_all_at_once_pass_the_bound(office_db: Office) -> None:
    """A thief uploads 100 files at once over 100 connections: exactly 60 are stored, on
    SQLite and on PostgreSQL (the count is the ledger's audit links), the others 429."""

    async def send(serial: int) -> int:
        response = await upload(office_db, "coord-a", serial)
        await response.read()
        return response.status

    statuses = await asyncio.gather(*(send(serial) for serial in range(100)))
    assert sorted(set(statuses)) == [201, 429], statuses
    assert statuses.count(201) == PER_HOUR


async def test_the_upload_past_the_bound_says_when_to_retry(office: Office) -> None:
    """The 61st is a problem document the entrance knows, with the seconds until the oldest
    counted file is an hour old; a file the coordinator stored before is still 200, and
    another coordinator and a town's staff upload on."""
    for serial in range(PER_HOUR):
        assert (await upload(office, "coord-a", serial)).status == 201
    refused = await upload(office, "coord-a", PER_HOUR)
    problem = await refused.json()
    assert (refused.status, problem["type"]) == (429, problem_type_uri("uploads-rate-limited"))
    assert 3500 < int(refused.headers["Retry-After"]) <= 3600
    assert (await upload(office, "coord-a", 0)).status == 200  # stored before: nothing new
    assert (await upload(office, "coord-b", PER_HOUR + 1)).status == 201
    for serial in range(PER_HOUR + 2, 2 * PER_HOUR + 4):
        assert (await upload(office, "town-1", serial)).status == 201
