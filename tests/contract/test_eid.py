"""The e-ID contract against the mock (with faults) and, marked ``real``, a real endpoint."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest

from certhub.adapters.eid import EidAdapter
from certhub.mocks.eid import EidMock

from .conftest import ContractSettings
from .eid_contract import EidContract, EidFaultContract, EidSample, Known
from .support import TEST_POLICY, AgainstRealEndpoint, FaultControl, running


def _known(mock: EidMock, status: str) -> Known:
    person = mock.registry.first(status)  # type: ignore[arg-type]
    return Known(person.id_number, person.name, person.photo)


class TestEidAgainstMock(EidContract, EidFaultContract):
    """Every behaviour and every fault, against the SOAP mock."""

    @pytest.fixture
    async def adapter(self, eid_mock: tuple[EidMock, str]) -> AsyncIterator[EidAdapter]:
        settings = {"base_url": eid_mock[1] + "/eid/soap", "policy": TEST_POLICY, "page_size": 3,
                    "max_response_bytes": 1024 * 1024}  # fmt: skip
        async with running("eid", settings, EidAdapter) as adapter:
            yield adapter

    @pytest.fixture
    def people(self, eid_mock: tuple[EidMock, str]) -> EidSample:
        mock = eid_mock[0]
        since = mock.registry.today - timedelta(days=200)
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
            for item in mock.registry.cancellations
            if item.cancelled_on >= since
        ]
        assert len(expected) > 3, "the sample must span several pages"
        return EidSample(
            valid=_known(mock, "valid"),
            revoked=_known(mock, "revoked"),
            deceased=_known(mock, "deceased"),
            since=since,
            cancellations=expected,
        )

    @pytest.fixture
    def faults(self, eid_mock: tuple[EidMock, str]) -> FaultControl:
        return FaultControl(eid_mock[1])


@pytest.mark.real
class TestEidAgainstRealEndpoint(AgainstRealEndpoint, EidContract):
    """Behaviour only, against the endpoint named by ``CERTHUB_CONTRACT_EID__BASE_URL``."""

    department, kind, also_needed = "eid", EidAdapter, ("eid_sample",)
    unnamed = "no real e-ID endpoint named (CERTHUB_CONTRACT_EID__BASE_URL, _EID_SAMPLE)"

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
