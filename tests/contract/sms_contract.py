"""The SMS gateway contract, written once, run against mock and real.

Subclasses provide ``adapter`` (an :class:`~certhub.adapters.sms.SmsGatewayAdapter`)
and ``mobile`` (a number the gateway accepts for tests).
"""

from __future__ import annotations

import uuid

import pytest

from certhub.adapters import Notification, RequestRejected, ResponseInvalid
from certhub.adapters.sms import SmsGatewayAdapter

from .faults_contract import Call, FaultContract
from .support import FaultControl

FULL_ID = "440102195003121231"  # a real-looking number: its check character is right


def _id() -> str:
    return f"n-{uuid.uuid4().hex}"


class SmsContract:
    """Chinese text, idempotent per notification id, never a full ID number."""

    async def test_sends_chinese_text(self, adapter: SmsGatewayAdapter, mobile: str) -> None:
        note = Notification(notification_id=_id(), mobile=mobile, text="您好，您的认证已通过。")
        receipt = await adapter.notify(note)
        assert receipt.notification_id == note.notification_id
        assert receipt.gateway_id
        assert receipt.segments == 1
        assert not receipt.duplicate

    async def test_same_notification_id_is_sent_once(
        self, adapter: SmsGatewayAdapter, mobile: str
    ) -> None:
        note = Notification(notification_id=_id(), mobile=mobile, text="认证结果通知")
        first = await adapter.notify(note)
        again = await adapter.notify(note)
        assert again.duplicate
        assert again.gateway_id == first.gateway_id

    async def test_reused_id_with_other_text_is_refused(
        self, adapter: SmsGatewayAdapter, mobile: str
    ) -> None:
        note = Notification(notification_id=_id(), mobile=mobile, text="第一条")
        await adapter.notify(note)
        with pytest.raises(RequestRejected):
            await adapter.notify(note.model_copy(update={"text": "第二条"}))

    async def test_full_id_number_never_leaves(
        self, adapter: SmsGatewayAdapter, mobile: str
    ) -> None:
        note = Notification(notification_id=_id(), mobile=mobile, text=f"身份证号{FULL_ID}认证通过")
        assert FULL_ID not in adapter.message_body(note)["content"]
        receipt = await adapter.notify(note)  # a gateway refusing full IDs accepts it
        assert not receipt.duplicate

    async def test_long_text_is_split_into_segments(
        self, adapter: SmsGatewayAdapter, mobile: str
    ) -> None:
        note = Notification(notification_id=_id(), mobile=mobile, text="养老保险待遇资格认证" * 12)
        assert (await adapter.notify(note)).segments >= 2


class SmsFaultContract(FaultContract):
    """Generic faults, plus a lost answer redelivered without a second SMS."""

    operation = "notify"

    @pytest.fixture
    def call(self, adapter: SmsGatewayAdapter, mobile: str) -> Call:
        """Send one notification (the same id on every attempt)."""
        note = Notification(notification_id=_id(), mobile=mobile, text="认证结果通知")
        return lambda: adapter.notify(note)

    async def test_lost_answer_then_redelivery_sends_once(
        self, adapter: SmsGatewayAdapter, faults: FaultControl, mobile: str
    ) -> None:
        note = Notification(notification_id=_id(), mobile=mobile, text="认证已通过")
        await faults.script("malformed")
        with pytest.raises(ResponseInvalid):
            await adapter.notify(note)
        assert (await adapter.notify(note)).duplicate
