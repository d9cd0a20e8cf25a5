"""Destinations follow adapter roles, not adapter names: a new department needs no edit to hub/.

The SMS gateway is installed under a name the hub has never heard of (an
entry point of a throw-away distribution on ``sys.path``); the hub still
sends the certified pensioner's SMS through it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, get_type_hints

import pytest
from evidence_samples import pdf
from procedurekit import Office, counter_event, trust_store
from prometheus_client import CollectorRegistry

from certhub.adapters import AdapterSetupError, CertificationUplink, Notifier
from certhub.hub.core.settings import Settings
from certhub.hub.departments.registry import ROLES, Departments
from certhub.hub.ingress.inbound import adapter_sender
from certhub.hub.procedure.context import ProcedureContext
from certhub.hub.procedure.uplink import uplink_delivery
from certhub.hub.runtime.app import create_app
from certhub.mocks.runner import MocksConfig, MockSettings, RunningMocks, run_mocks
from certhub.schemas.resident_id import check_character
from certhub.security import SigningKey


class Gateway:
    """Plays the notifier role (implements its protocol), whatever it is named."""

    async def notify(self, notification: object) -> object:
        return notification

    async def aclose(self) -> None:
        """Nothing to release."""


class Uplink:
    """Plays the uplink role."""

    async def push_certification(self, event: object, *, delivery_id: str) -> object:
        return delivery_id

    async def aclose(self) -> None:
        """Nothing to release."""


def departments(roles: dict[str, str] | None = None, **adapters: object) -> Departments:
    return Departments(adapters, roles or {})  # type: ignore[arg-type]


def test_an_adapter_plays_the_roles_of_the_protocols_it_implements_whatever_its_name() -> None:
    found = departments(texts=Gateway(), bridge=Uplink(), eid_two=object())
    assert found.players == {"notifier": "texts", "uplink": "bridge"}
    assert isinstance(found.notifier, Notifier)
    assert isinstance(found.uplink, CertificationUplink)
    assert found.identity is None
    assert found.certification_source is None


def test_each_role_is_a_field_typed_as_its_protocol() -> None:
    # Departments sets its role fields by name from ROLES: a role without its field
    # (or a field of another type) would be set unseen and read back untyped.
    hints = get_type_hints(Departments)
    for role, protocol in ROLES.items():
        assert hints[role] == protocol | None, role


def test_settings_choose_when_several_adapters_could_play_a_role() -> None:
    with pytest.raises(AdapterSetupError, match=r"choose one in adapter_roles\.notifier"):
        departments(texts=Gateway(), backup=Gateway())
    chosen = departments({"notifier": "backup"}, texts=Gateway(), backup=Gateway())
    assert chosen.player("notifier") == "backup"
    with pytest.raises(AdapterSetupError, match="not configured to play 'uplink'"):
        departments({"uplink": "texts"}, texts=Gateway())
    with pytest.raises(AdapterSetupError, match="no role 'sms'"):
        departments({"sms": "texts"}, texts=Gateway())


@pytest.fixture
def renamed_gateway(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The SMS gateway adapter, installed again as ``guangdong_texts``."""
    dist = tmp_path / "site" / "certhub_roles_test-0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: certhub-roles-test\nVersion: 0\n")
    (dist / "entry_points.txt").write_text(
        "[certhub.adapters]\nguangdong_texts = certhub.adapters.sms:SmsGatewayAdapter\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    return "guangdong_texts"


@pytest.fixture
async def mocks(tmp_path: Path) -> AsyncIterator[RunningMocks]:
    """The mock SMS gateway on a free port."""
    async with run_mocks(MocksConfig(key_dir=tmp_path / "keys", sms=MockSettings(port=0))) as m:
        yield m


async def test_a_gateway_under_a_new_name_sends_the_certified_pensioners_sms(
    aiohttp_client: Callable[..., Any],
    tmp_path: Path,
    keys: dict[str, SigningKey],
    mocks: RunningMocks,
    renamed_gateway: str,
) -> None:
    adapters = {renamed_gateway: mocks.adapter_settings["sms"]}
    settings = Settings(
        data_dir=tmp_path / "data", adapters=adapters, identity_check="off", ministry_pull_seconds=0
    )
    settings.data_dir.mkdir(parents=True)
    trust_store(keys).save(settings.trust_store_path)
    office = Office(
        await aiohttp_client(create_app(settings, registry=CollectorRegistry())), settings, keys
    )
    first17 = "44010519490101123"
    person = {
        "id_number": first17 + check_character(first17),
        "name": "陈伯",
        "region": {"county": "440105"},
    }
    roster = {
        "type": "benefit_record/v1", "person": person, "status": "active",
        "monthly_amount": "238.00", "paid_through": "2024-01",
        "bank_account_on_file": "****1234", "contact_mobile": "13800138000",
        "as_of": datetime.now(UTC).isoformat(),
    }  # fmt: skip
    assert (await office.post("/v1/roster", "province", roster))[0] == 202
    id_image = await office.upload(pdf("ID card scan"), "application/pdf")
    onsite = await office.upload(pdf("on-site photo"), "application/pdf")
    event = counter_event(person, id_image, onsite, media_types=("application/pdf",) * 2)
    status, body = await office.post("/v1/certifications", "channel", event)
    assert status == 202, body
    item = body["sequence"]
    await office.decide("certifications", item, "town-1", "accept")
    assert (await office.decide("certifications", item, "county-1", "approve"))[0] == 202
    deadline = time.monotonic() + 10
    while f"certification:{item}" not in mocks.sms.sent:
        assert time.monotonic() < deadline, "the renamed gateway sent nothing"
        await asyncio.sleep(0.02)


def test_certifications_go_up_to_the_uplink_whatever_its_name_except_its_own() -> None:
    ctx = ProcedureContext(
        store=None,  # type: ignore[arg-type]
        missing_evidence=None,  # type: ignore[arg-type]
        outcomes=None,  # type: ignore[arg-type]
        uplink_sender=adapter_sender("provincial_bridge"),
    )
    (row,) = uplink_delivery(ctx, "channel:gdrs_app", "m-1", b"{}")
    assert (row.destination, row.operation) == ("ministry", "push_certification")
    assert uplink_delivery(ctx, "adapter:provincial_bridge", "m-2", b"{}") == ()
    assert uplink_delivery(replace(ctx, uplink_sender=None), "channel:gdrs_app", "m-1", b"{}") == ()
