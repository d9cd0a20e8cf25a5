"""Back-pressure: past its limits ingress answers 429 with Retry-After, and stores nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from procedurekit import open_office

from certhub.hub.core.keys import LOAD, STORE
from certhub.hub.store import NewMessage, RecordKind
from certhub.hub.store.effects import Effects, OutboxWrite
from certhub.security import SigningKey

ROSTER = {
    "type": "benefit_record/v1",
    "status": "active",
    "monthly_amount": "238.00",
    "paid_through": "2024-01",
    "bank_account_on_file": "****1234",
    "contact_mobile": "13800138000",
    "as_of": "2024-02-01T08:00:00+00:00",
}


async def test_a_full_outbox_refuses_with_429_and_retry_after(
    aiohttp_client: Callable[..., Any], tmp_path: Path, keys: dict[str, SigningKey]
) -> None:
    office = await open_office(aiohttp_client, tmp_path / "data", keys, max_outbox_backlog=2)
    app = office.client.app
    writes = tuple(OutboxWrite(f"x{n}", "nowhere", "op", b"{}") for n in range(2))
    cause = NewMessage(RecordKind.OUTCOME, "t", "hub", "m1", "k", "0" * 64, b"j", b"{}", _now())
    await app[STORE].append(cause, lambda s: "r", Effects(outbox=writes))
    await app[LOAD].monitor.refresh()
    before = await office.ledger_size()
    response = await office.client.post(
        "/v1/roster",
        data=office.sign("province", ROSTER | {"person": office.people.person()}),
        headers={"Content-Type": "application/jose"},
    )
    assert response.status == 429
    assert response.headers["Retry-After"] == "5"
    assert (await response.json())["type"] == "urn:certhub:problem:overloaded"
    assert await office.ledger_size() == before


async def test_too_many_messages_in_flight_refuses_the_next(
    aiohttp_client: Callable[..., Any], tmp_path: Path, keys: dict[str, SigningKey]
) -> None:
    office = await open_office(aiohttp_client, tmp_path / "data", keys, max_in_flight=1)
    load = office.client.app[LOAD]
    roster = ROSTER | {"person": office.people.person()}
    async with load.admit():  # one message being accepted right now
        status, body = await office.post("/v1/roster", "province", roster)
    assert (status, body["type"]) == (429, "urn:certhub:problem:overloaded")
    status, body = await office.post("/v1/roster", "province", roster)
    assert status == 202, body


def _now() -> datetime:
    return datetime.now(UTC)
