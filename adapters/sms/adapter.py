"""The SMS gateway adapter: the outbound notifier for result feedback.

Implements :class:`~certhub.adapters.protocols.Notifier`. Sending is idempotent per
``notification_id`` — the id travels to the gateway, which never sends the
same id twice, so retries (and outbox redeliveries) are safe. Any resident ID
number in the text is masked before it leaves certhub.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from certhub.schemas import mask_ids_in_text

from ..base import Adapter, AdapterOptions
from ..config import AdapterConfig
from ..contracts import CONTRACTS_DIR
from ..http import check_status, make_client, translate_httpx_errors
from ..openapi import load_contract
from ..types import Notification, NotificationReceipt

__all__ = ["SmsConfig", "SmsGatewayAdapter"]

OPENAPI_PATH = CONTRACTS_DIR / "sms.openapi.json"
SEND_PATH = "/sms/v1/messages"


class SmsConfig(AdapterConfig):
    """Settings of the SMS gateway adapter."""

    sign_name: str = Field(
        default="广东人社", min_length=2, max_length=12, description="短信签名 shown as 【…】."
    )


class SmsGatewayAdapter(Adapter[SmsConfig]):
    """Sends one SMS per call through the gateway's REST API."""

    name: ClassVar[str] = "sms"
    operations: ClassVar[frozenset[str]] = frozenset({"notify"})

    def __init__(self, config: SmsConfig, options: AdapterOptions) -> None:
        super().__init__(config, options)
        self.sign_name = config.sign_name
        self._contract = load_contract(OPENAPI_PATH)
        self._http = make_client(config, options.transport)

    def message_body(self, notification: Notification) -> dict[str, Any]:
        """The gateway request for ``notification``, with ID numbers masked.

        The gateway prepends 【sign_name】 itself; a text that already starts
        with that sign has it removed, so the family never reads it twice.
        """
        content = mask_ids_in_text(notification.text)
        sign = f"【{self.sign_name}】"
        while content.startswith(sign):
            content = content[len(sign) :]
        return {
            "notification_id": notification.notification_id,
            "mobile": notification.mobile,
            "sign_name": self.sign_name,
            "content": content,
        }

    async def notify(self, notification: Notification) -> NotificationReceipt:
        """Send ``notification`` once; a repeat returns the first receipt."""
        body = self.message_body(notification)
        self._contract.check_request("Message", body)

        async def attempt() -> NotificationReceipt:
            with translate_httpx_errors():
                response = await self._http.post(SEND_PATH, json=body)
            check_status(response)
            receipt = self._contract.parse_answer("Receipt", response.content)
            return NotificationReceipt(
                notification_id=notification.notification_id,
                gateway_id=receipt["message_id"],
                segments=receipt["segments"],
                duplicate=receipt["duplicate"],
            )

        return await self.call("notify", attempt)

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._http.aclose()
