"""What every mock party that writes to the hub shares: its key, its name, the signed POST.

A city platform, the provincial system and each member of a county office
sign their own messages as JSON with their own key, and the hub answers 202
with a receipt or refuses with a problem; :class:`HubClient` does that once.
"""

from __future__ import annotations

import json
from typing import Any, Final

import aiohttp

from certhub.security import SigningKey, sign_compact

__all__ = ["JOSE", "HubClient"]

JOSE: Final = "application/jose"


class HubClient:
    """A party the hub's trust store knows as ``sender``, signing with ``key``."""

    def __init__(
        self, base_url: str, *, key: SigningKey, sender: str, session: aiohttp.ClientSession
    ) -> None:
        """Talk to the hub at ``base_url`` over ``session``."""
        self.base_url = base_url.rstrip("/")
        self.key = key
        self.sender = sender
        self.session = session

    def sign(self, payload: dict[str, Any], *, jti: str) -> bytes:
        """The compact JWS of ``payload`` (compact JSON), typed by its ``type`` member."""
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        return sign_compact(body, key=self.key, typ=payload["type"], sender=self.sender, jti=jti)

    async def post_signed(self, path: str, token: bytes) -> dict[str, Any]:
        """Post a signed message to ``path``; the hub's receipt body (raises unless 202)."""
        async with self.session.post(
            f"{self.base_url}{path}", data=token, headers={"Content-Type": JOSE}
        ) as response:
            body: dict[str, Any] = await response.json(content_type=None)
        if response.status != 202:
            raise RuntimeError(
                f"{path}: {response.status} {body.get('type')}: {body.get('detail')}"
            )
        return body
