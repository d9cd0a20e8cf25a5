"""The SMS contract against the mock (with faults) and, marked ``real``, a real gateway."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters import Notification, create_adapter
from adapters.sms import SmsGatewayAdapter
from mocks.sms import SmsMock

from .conftest import ContractSettings
from .sms_contract import FULL_ID, SmsContract, SmsFaultContract
from .support import TEST_POLICY, FaultControl, options


class TestSmsAgainstMock(SmsContract, SmsFaultContract):
    """Every behaviour and every fault, against the gateway mock."""

    @pytest.fixture
    async def adapter(
        self, sms_mock: tuple[SmsMock, str], tmp_path: Path
    ) -> AsyncIterator[SmsGatewayAdapter]:
        key = tmp_path / "sms.key"
        key.write_text("contract-key\n", encoding="utf-8")
        settings = {"base_url": sms_mock[1], "api_key_path": str(key), "policy": TEST_POLICY,
                    "max_response_bytes": 1024 * 1024}  # fmt: skip
        adapter = create_adapter("sms", settings, options())
        assert isinstance(adapter, SmsGatewayAdapter)
        yield adapter
        await adapter.aclose()

    @pytest.fixture
    def mobile(self) -> str:
        return "13912345678"

    @pytest.fixture
    def faults(self, sms_mock: tuple[SmsMock, str]) -> FaultControl:
        return FaultControl(sms_mock[1])

    async def test_the_phone_gets_one_message_masked(
        self, adapter: SmsGatewayAdapter, sms_mock: tuple[SmsMock, str]
    ) -> None:
        note = Notification(notification_id="n-once", mobile="13912345678",
                            text=f"王秀英您好，身份证号{FULL_ID}的认证已通过。")  # fmt: skip
        for _ in range(3):
            await adapter.notify(note)
        sent = list(sms_mock[0].sent.values())
        assert len(sent) == 1
        assert sent[0].text.startswith("【广东人社】王秀英您好")
        assert FULL_ID not in sent[0].text
        assert "440102**********36" in sent[0].text


@pytest.mark.real
class TestSmsAgainstRealGateway(SmsContract):
    """Behaviour only, against ``CERTHUB_CONTRACT_SMS__BASE_URL`` (+ api key path)."""

    @pytest.fixture(autouse=True)
    def _named_endpoint(self, contract_settings: ContractSettings) -> None:
        if contract_settings.sms is None:
            pytest.skip("no real SMS gateway named (CERTHUB_CONTRACT_SMS__BASE_URL)")

    @pytest.fixture
    async def adapter(
        self, contract_settings: ContractSettings
    ) -> AsyncIterator[SmsGatewayAdapter]:
        assert contract_settings.sms is not None
        adapter = create_adapter("sms", contract_settings.sms, options())
        assert isinstance(adapter, SmsGatewayAdapter)
        yield adapter
        await adapter.aclose()

    @pytest.fixture
    def mobile(self, contract_settings: ContractSettings) -> str:
        return contract_settings.sms_mobile
