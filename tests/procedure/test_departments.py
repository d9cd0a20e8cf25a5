"""The procedure with its departments: e-ID at the counter, SMS by the gateway, ministry pull.

The hub runs with real adapters against the mock departments (SOAP e-ID,
REST ministry, REST SMS gateway) on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from evidence_samples import pdf
from procedurekit import Office, counter_event, sent_in_time, trust_store
from prometheus_client import CollectorRegistry

from certhub.hub.core.keys import CERTIFICATION_PULL
from certhub.hub.core.settings import Settings
from certhub.hub.runtime.app import create_app
from certhub.mocks.eid_registry import EidPerson
from certhub.mocks.faults import FaultConfig, FaultKind
from certhub.mocks.runner import MocksConfig, MockSettings, RunningMocks, run_mocks
from certhub.security import SigningKey

PROBLEM = "urn:certhub:problem:"


@pytest.fixture
async def mocks(tmp_path: Path) -> AsyncIterator[RunningMocks]:
    """Every mock department on a free port."""
    config = MocksConfig(
        key_dir=tmp_path / "mock-keys",
        eid=MockSettings(port=0),
        ministry=MockSettings(port=0),
        sms=MockSettings(port=0),
    )
    async with run_mocks(config) as running:
        yield running


@pytest.fixture
async def office(
    aiohttp_client: Callable[..., Any],
    tmp_path: Path,
    keys: dict[str, SigningKey],
    mocks: RunningMocks,
) -> Office:
    """A hub whose adapters talk to the mock departments; the e-ID check is required."""
    adapters = {
        name: settings
        | {
            "policy": {
                "max_attempts": 2,
                "deadline": 5,
                "backoff_initial": 0.01,
                "backoff_max": 0.05,
            }
        }
        for name, settings in mocks.adapter_settings.items()
    }
    settings = Settings(data_dir=tmp_path / "data", adapters=adapters, ministry_pull_seconds=0)
    settings.data_dir.mkdir(parents=True)
    trust_store(keys).save(settings.trust_store_path)
    client = await aiohttp_client(create_app(settings, registry=CollectorRegistry()))
    return Office(client, settings, keys)


def person_of(eid: EidPerson) -> dict[str, Any]:
    return {"id_number": eid.id_number, "name": eid.name, "region": {"county": eid.county}}


async def counter_certification(
    office: Office, person: dict[str, Any], photo: bytes
) -> tuple[int, dict[str, Any]]:
    id_image = await office.upload(pdf("ID card scan"), "application/pdf")
    onsite = await office.upload(photo, "image/jpeg")
    event = counter_event(person, id_image, onsite, media_types=("application/pdf", "image/jpeg"))
    return await office.post("/v1/certifications", "channel", event)


async def test_a_matching_person_is_certified_and_told_by_sms(
    office: Office, mocks: RunningMocks
) -> None:
    eid = mocks.eid.registry.first("valid")
    person = person_of(eid)
    await office.roster(
        person,
        paid_through="2024-01",
        bank_account_on_file="****1234",
        contact_mobile="13800138000",
    )
    status, body = await counter_certification(office, person, eid.photo)
    assert status == 202, body
    item = body["sequence"]
    await office.decide("certifications", item, "town-1", "accept")
    assert (await office.decide("certifications", item, "county-1", "approve"))[0] == 202
    sent = await sent_in_time(mocks.sms.sent, f"certification:{item}")
    assert eid.id_number not in str(sent)


@pytest.mark.parametrize(
    ("status_", "photo"), [("valid", "other"), ("deceased", "own"), ("revoked", "own")]
)
async def test_the_e_id_check_refuses_and_nothing_is_stored(
    office: Office, mocks: RunningMocks, status_: str, photo: str
) -> None:
    eid = mocks.eid.registry.first(status_)  # type: ignore[arg-type]
    other = mocks.eid.registry.first("revoked").photo
    before = await office.ledger_size()
    status, body = await counter_certification(
        office, person_of(eid), eid.photo if photo == "own" else other
    )
    assert (status, body["type"]) == (422, PROBLEM + "identity-not-verified"), body
    assert await office.ledger_size() == before


async def test_an_unreachable_e_id_service_refuses_with_503(
    office: Office, mocks: RunningMocks
) -> None:
    mocks.eid.injector.configure(FaultConfig(rates={FaultKind.error: 1.0}, seed=1))
    eid = mocks.eid.registry.first("valid")
    before = await office.ledger_size()
    status, body = await counter_certification(office, person_of(eid), eid.photo)
    assert (status, body["type"]) == (503, PROBLEM + "identity-check-unavailable"), body
    assert await office.ledger_size() == before


async def test_the_ministry_pull_records_each_result_once(office: Office) -> None:
    pull = office.client.app[CERTIFICATION_PULL]
    recorded = await pull.pull_once()
    assert recorded > 0
    size = await office.ledger_size()
    (office.settings.data_dir / "state" / "ministry.cursor").unlink()  # forget the cursor
    await pull.pull_once()  # re-pulls everything …
    assert await office.ledger_size() == size  # … and records nothing twice
    status, page = await office.get("/v1/certifications", limit="5")
    assert status == 200
    assert {item["sender"] for item in page["items"]} == {"adapter:ministry"}
