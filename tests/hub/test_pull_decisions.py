"""The provincial pull as an integrator reads it from /openapi.json: what the province decides.

Each test is a strict xfail naming the decision wanted; it fails on its assertion today.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hub_fixtures import started_hub
from hubkit import Hub
from questionkit import decision_wanted

from certhub.hub.api.openapi import openapi_document
from certhub.hub.core.settings import Settings
from certhub.security import SigningKey


async def _pushed(hub: Hub, count: int) -> None:
    for _ in range(count):
        status, body = await hub.push(hub.sign(hub.report()))
        assert status == 202, body


@decision_wanted(
    "read tokens name the audience 'certhub' whatever CERTHUB_HUB_ID"
    " says, so a token a reader minted for a staging hub reads production with the same key;"
    " should aud be the deployment's CERTHUB_HUB_ID (the phones' entrance then needs it)?"
)
async def test_a_token_for_another_hub_is_refused(hub_factory: Callable[..., Any]) -> None:
    hub: Hub = await hub_factory(hub_id="gd-certhub-prod")
    response = await hub.client.get("/v1/reports", headers=hub.bearer(audience="certhub"))
    assert response.status == 401


@decision_wanted(
    "a pull asked for with Accept: application/xml is answered JSON"
    " (RFC 9110 lets a server ignore Accept); should it be 406 not-acceptable (documented)?"
)
async def test_a_pull_in_a_media_type_the_hub_does_not_serve_is_406(hub: Hub) -> None:
    headers = hub.bearer() | {"Accept": "application/xml"}
    response = await hub.client.get("/v1/reports", headers=headers)
    assert response.status == 406


@decision_wanted(
    "every GET also answers HEAD (aiohttp; 405's Allow names it)"
    " but /openapi.json documents no HEAD operation, so a HEAD answer departs from the"
    " document; document HEAD beside each GET, or refuse it?"
)
def test_the_head_the_hub_answers_is_documented() -> None:
    assert "head" in openapi_document()["paths"]["/v1/reports"]


@decision_wanted(
    "after the ledger is restored from a backup, a poller's cursor"
    " lies past the ledger's head and the records written again under those sequences are"
    " skipped in silence; should a cursor past the head be refused (a new problem slug)?"
)
async def test_a_cursor_past_the_ledgers_head_is_refused(
    aiohttp_client: Callable[..., Any], tmp_path: Path, party_keys: dict[str, SigningKey]
) -> None:
    async def start(data: str) -> Hub:
        settings = Settings(data_dir=tmp_path / data)
        return await started_hub(aiohttp_client, settings, party_keys)

    live = await start("live")
    await _pushed(live, 1)
    await live.client.close()
    shutil.copytree(tmp_path / "live", tmp_path / "backup")  # the night's backup
    live = await start("live")
    live.counter = 1  # message ids go on where they stopped
    await _pushed(live, 2)
    status, page = await live.pull()  # the poller has read sequences 1 to 3
    assert (status, len(page["items"])) == (200, 3)
    await live.client.close()
    restored = await start("backup")  # the disk is lost; the backup is restored
    restored.counter = 3
    await _pushed(restored, 1)  # sequence 2 again, a new record
    status, _ = await restored.pull(after=page["next_cursor"])
    assert status == 400


@decision_wanted(
    "a message's iat may be CERTHUB_CLOCK_SKEW_SECONDS (300 s) ahead"
    " of the hub, a read token's only 60 s (fixed): a poller whose clock runs 2 minutes"
    " fast pushes but cannot pull; should tokens take the same setting?"
)
async def test_a_reader_two_minutes_fast_reads_as_it_pushes(hub: Hub) -> None:
    ahead = datetime.now(UTC) + timedelta(minutes=2)
    status, _ = await hub.push(hub.sign(hub.report(), iat=int(ahead.timestamp())))
    assert status == 202
    response = await hub.client.get("/v1/reports", headers=hub.bearer(now=ahead))
    assert response.status == 200


@decision_wanted(
    "GET /v1/biometric-enrolments/{person_id} puts a resident ID"
    " number in the URL path (CONVENTIONS: never in a URL path): the hub's own log masks it,"
    " but every proxy and load balancer in front logs the path whole; take it another way?"
)
def test_no_read_takes_an_id_number_in_its_path() -> None:
    assert not [path for path in openapi_document()["paths"] if "{person_id}" in path]
