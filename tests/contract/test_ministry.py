"""The ministry contract against the mock (with faults) and, marked ``real``, a real endpoint."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from certhub.adapters.ministry import MinistryAdapter
from certhub.mocks.ministry import MinistryMock
from certhub.schemas import CertificationEvent, check_character

from .conftest import ContractSettings
from .ministry_contract import MinistryContract, MinistryFaultContract, Native
from .support import TEST_POLICY, AgainstMock, AgainstRealEndpoint


def _native(base_url: str) -> Native:
    async def fetch(cursor: str | None, limit: int) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        async with httpx.AsyncClient(base_url=base_url, trust_env=False) as client:
            response = await client.get("/api/v1/certification-results", params=params)
            response.raise_for_status()
            return response.json()  # type: ignore[no-any-return]

    return fetch


@pytest.fixture
def event() -> CertificationEvent:
    """A counter certification in Guangdong, as the workflow would push it."""
    first17 = "44532119500312002"
    now = datetime.now(UTC) - timedelta(minutes=5)
    return CertificationEvent.model_validate(
        {
            "person": {"id_number": first17 + check_character(first17), "name": "阿依古丽·买买提",
                       "region": {"county": "445321"}},
            "method": "face",
            "channel": {"kind": "yuezhizhu_kiosk", "code": "YZZ-0931"},
            "outcome": "certified",
            "occurred_at": now.isoformat(),
            "valid_until": (now.date() + timedelta(days=300)).isoformat(),
        }
    )  # fmt: skip


class TestMinistryAgainstMock(AgainstMock, MinistryContract, MinistryFaultContract):
    """Every behaviour and every fault, against the REST mock."""

    department, kind = "ministry", MinistryAdapter

    def settings(self, mock: MinistryMock, url: str, scratch: Path) -> dict[str, Any]:
        key_path = scratch / "ministry.jwk.json"
        key_path.write_text(json.dumps(mock.public_jwk()), encoding="utf-8")
        return {"base_url": url, "department_key_path": str(key_path), "policy": TEST_POLICY,
                "max_response_bytes": 1024 * 1024}  # fmt: skip

    @pytest.fixture
    def native(self, mock: tuple[MinistryMock, str]) -> Native:
        return _native(mock[1])

    async def test_the_mock_has_rejectable_records(self, adapter: MinistryAdapter) -> None:
        page = await adapter.pull_certifications(None, limit=80)
        assert [item.record_id for item in page.rejected] == ["RZ00000039", "RZ00000079"]
        assert all("person.id_number" in item.reason for item in page.rejected)
        assert date.today() >= page.events[0].occurred_at.date()


class TestMinistryAgainstRealEndpoint(AgainstRealEndpoint, MinistryContract):
    """Behaviour only, against ``CERTHUB_CONTRACT_MINISTRY__BASE_URL`` (+ key path)."""

    department, kind = "ministry", MinistryAdapter

    @pytest.fixture
    def native(self, contract_settings: ContractSettings) -> Native:
        assert contract_settings.ministry is not None
        return _native(str(contract_settings.ministry["base_url"]))
