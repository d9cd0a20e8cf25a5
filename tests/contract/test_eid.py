"""The e-ID contract against the mock (with faults) and, marked ``real``, a real endpoint."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from certhub.adapters.eid import EidAdapter
from certhub.mocks.eid import EidMock

from .conftest import ContractSettings
from .eid_contract import EidContract, EidFaultContract, EidSample, Known
from .support import TEST_POLICY, AgainstMock, AgainstRealEndpoint


def _known(mock: EidMock, status: str) -> Known:
    person = mock.registry.first(status)  # type: ignore[arg-type]
    return Known(person.id_number, person.name, person.photo)


class TestEidAgainstMock(AgainstMock, EidContract, EidFaultContract):
    """Every behaviour and every fault, against the SOAP mock."""

    department, kind = "eid", EidAdapter

    def settings(self, mock: EidMock, url: str, scratch: Path) -> dict[str, Any]:
        return {"base_url": url + "/eid/soap", "policy": TEST_POLICY, "page_size": 3,
                "max_response_bytes": 1024 * 1024}  # fmt: skip

    @pytest.fixture
    def people(self, mock: tuple[EidMock, str]) -> EidSample:
        registry = mock[0].registry
        since = registry.today - timedelta(days=200)
        expected = [
            {
                "id_number": item.id_number,
                "name": item.name,
                "reason": {
                    "01": "death",
                    "02": "emigration",
                    "03": "military_service",
                    "04": "duplicate_registration",
                    "99": "other",
                }[item.reason],
                "cancelled_on": item.cancelled_on.isoformat(),
                "county": item.county,
                "authority": item.authority,
            }
            for item in registry.cancellations
            if item.cancelled_on >= since
        ]
        assert len(expected) > 3, "the sample must span several pages"
        return EidSample(
            valid=_known(mock[0], "valid"),
            revoked=_known(mock[0], "revoked"),
            deceased=_known(mock[0], "deceased"),
            since=since,
            cancellations=expected,
        )


class TestEidAgainstRealEndpoint(AgainstRealEndpoint, EidContract):
    """Behaviour only, against the endpoint named by ``CERTHUB_CONTRACT_EID__BASE_URL``."""

    department, kind, also_needed = "eid", EidAdapter, ("eid_sample",)

    @pytest.fixture
    def people(self, contract_settings: ContractSettings) -> EidSample:
        assert contract_settings.eid_sample is not None
        raw = json.loads(contract_settings.eid_sample.read_text(encoding="utf-8"))

        def known(key: str) -> Known:
            item = raw[key]
            photo = (contract_settings.eid_sample.parent / item["photo"]).read_bytes()  # type: ignore[union-attr]
            return Known(item["id_number"], item["name"], photo)

        return EidSample(known("valid"), known("revoked"), known("deceased"),
                         date.fromisoformat(raw["since"]))  # fmt: skip
