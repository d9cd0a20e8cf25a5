"""The SMS contract against the mock (with faults) and, marked ``real``, a real gateway."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from questionkit import decision_wanted

from certhub.adapters import Notification
from certhub.adapters.sms import SmsGatewayAdapter
from certhub.hub.rules.notices import certification_result_notice, family_termination_notice
from certhub.mocks.sms import SmsMock
from certhub.schemas import CertificationEvent, VerificationTask

from .conftest import ContractSettings
from .sms_contract import FULL_ID, SmsContract, SmsFaultContract
from .support import TEST_POLICY, AgainstMock, AgainstRealEndpoint


class TestSmsAgainstMock(AgainstMock, SmsContract, SmsFaultContract):
    """Every behaviour and every fault, against the gateway mock."""

    department, kind = "sms", SmsGatewayAdapter

    def settings(self, mock: SmsMock, url: str, scratch: Path) -> dict[str, Any]:
        key = scratch / "sms.key"
        key.write_text("contract-key\n", encoding="utf-8")
        return {"base_url": url, "api_key_path": str(key), "policy": TEST_POLICY,
                "max_response_bytes": 1024 * 1024}  # fmt: skip

    @pytest.fixture
    def mobile(self) -> str:
        return "13912345678"

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
        assert "440102**********31" in sent[0].text

    async def test_the_hubs_notices_show_the_sign_once(
        self, adapter: SmsGatewayAdapter, sms_mock: tuple[SmsMock, str]
    ) -> None:
        person = {"id_number": FULL_ID, "name": "王秀英", "region": {"county": "440103"}}
        task = VerificationTask.model_validate(
            {"task_id": "t-1", "person": person, "kind": "death", "status": "confirmed",
             "sources": ["report:1"], "opened_at": "2026-01-05T10:00:00+08:00",
             "resolved_at": "2026-01-06T10:00:00+08:00", "disposal": "terminate"}
        )  # fmt: skip
        event = CertificationEvent.model_validate(
            {"person": person, "method": "face", "channel": {"kind": "app_gdrs"},
             "outcome": "certified", "occurred_at": "2026-01-05T10:00:00+08:00",
             "valid_until": "2027-01-05"}
        )  # fmt: skip
        notices = [family_termination_notice(task, date(2026, 1, 2)),
                   certification_result_notice(event, 7)]  # fmt: skip
        for notice in notices:
            await adapter.notify(
                Notification(notification_id=notice.notice_id, mobile="13912345678",
                             text=notice.text)
            )  # fmt: skip
            text = sms_mock[0].sent[notice.notice_id].text
            assert text.startswith("【广东人社】王")
            assert text.count("【广东人社】") == 1, text
        signed = Notification(notification_id="n-signed", mobile="13912345678",
                              text="【广东人社】王秀英您好。")  # fmt: skip
        assert adapter.message_body(signed)["content"] == "王秀英您好。"

    @decision_wanted(
        "a notice the gateway took (its answer lost) and retried after"
        " the roster's number changed is refused 409 and dead-lettered: the pensioner's current"
        " number gets nothing, and the SMS the old number got is recorded as failed - send again"
        " under a new id, or record it delivered?"
    )
    async def test_a_notice_retried_after_the_number_changed_is_not_refused(
        self, adapter: SmsGatewayAdapter, sms_mock: tuple[SmsMock, str]
    ) -> None:
        text = "王**您好：您的养老保险待遇领取资格认证已审核通过。如有疑问请致电12333。"
        await adapter.notify(Notification(notification_id="n-renumbered", mobile="13912345678",
                                          text=text))  # fmt: skip
        # the roster corrected meanwhile: SmsNoticeSender reads the number at each attempt
        await adapter.notify(Notification(notification_id="n-renumbered", mobile="13800138000",
                                          text=text))  # fmt: skip


class TestSmsAgainstRealGateway(AgainstRealEndpoint, SmsContract):
    """Behaviour only, against ``CERTHUB_CONTRACT_SMS__BASE_URL`` (+ api key path)."""

    department, kind = "sms", SmsGatewayAdapter

    @pytest.fixture
    def mobile(self, contract_settings: ContractSettings) -> str:
        return contract_settings.sms_mobile
