"""Mock SMS gateway: one message per request, idempotent per notification id.

Remembers every ``notification_id``: a repeat with the same content returns
the first receipt (``duplicate: true``) and sends nothing; a repeat with other
content is a 409. Content holding a full resident ID number is refused (422)
— the contract says it must never be sent. Requests and answers are
validated against ``sms.openapi.json``, the adapter's own contract.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from certhub.schemas import mask_ids_in_text

from .contracts import openapi
from .faults import FaultConfig, FaultKind
from .rest import fault_response, problem
from .server import ADMIN, MockDepartment

__all__ = ["SentMessage", "SmsMock"]

SEND = "/sms/v1/messages"


@dataclass(frozen=True)
class SentMessage:
    """One SMS the gateway actually sent."""

    notification_id: str
    mobile: str
    text: str
    receipt: dict[str, Any]


class SmsMock(MockDepartment):
    """The gateway; ``sent`` lists what reached a phone, once per notification id."""

    name = "sms"

    def __init__(self, *, api_key: str | None = None, faults: FaultConfig | None = None):
        super().__init__(faults)
        self.api_key = api_key
        self.sent: dict[str, SentMessage] = {}
        self.contract = openapi("sms")

    def add_routes(self, app: web.Application) -> None:
        """Send, and the admin list of sent messages."""
        app.router.add_post(SEND, self._send)
        app.router.add_get(f"{ADMIN}/sent", self._list_sent)

    async def _send(self, request: web.Request) -> web.Response:
        kind = await self.begin(request)
        refused = fault_response(kind, self.injector.config)
        if refused is not None:
            return refused
        body, refusal = self._check(request, await request.read())
        if refusal is not None:
            return refusal
        text = f"【{body['sign_name']}】{body['content']}"
        known = self.sent.get(body["notification_id"])
        if known is not None:
            if known.text != text or known.mobile != body["mobile"]:
                return problem(409, "notification_id reused for a different message")
            return web.json_response({**known.receipt, "duplicate": True}, status=200)
        receipt = {
            "message_id": f"SMS{len(self.sent) + 1:08d}",
            "segments": 1 if len(text) <= 70 else math.ceil(len(text) / 67),
            "duplicate": False,
        }
        assert not self.contract.problems("Receipt", receipt), "mock drifted from contract"  # noqa: S101
        self.sent[body["notification_id"]] = SentMessage(
            body["notification_id"], body["mobile"], text, receipt
        )
        if kind is FaultKind.malformed:
            return web.Response(body=b'{"message_id":', content_type="application/json")
        return web.json_response(receipt, status=201)

    def _check(self, request: web.Request, raw: bytes) -> tuple[Any, web.Response | None]:
        """The parsed message, or the problem answer for a caller or body breaking the contract."""
        if self.api_key and request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return None, problem(401, "unknown caller")
        try:
            body = json.loads(raw)
        except ValueError:
            return None, problem(400, "body is not JSON")
        content = body.get("content") if isinstance(body, dict) else None
        if isinstance(content, str) and mask_ids_in_text(content) != content:
            return None, problem(422, "content holds a full resident ID number")
        if self.contract.problems("Message", body):
            return None, problem(422, "body breaks Message")
        return body, None

    async def _list_sent(self, _request: web.Request) -> web.Response:
        return web.json_response(
            [
                {
                    "notification_id": m.notification_id,
                    "mobile": m.mobile[:3] + "****" + m.mobile[-4:],
                    "text": m.text,
                }
                for m in self.sent.values()
            ]
        )
