"""A mock county/town social-insurance office: staff who accept, approve and verify.

Each member of staff signs with their own key, so the hub learns their role
from its trust store — never from the message alone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import aiohttp

from certhub.mocks.hub_client import HubClient
from certhub.security import SigningKey, issue_read_token


class StaffMember(HubClient):
    """One person at the office, with their signing key and role."""

    def __init__(
        self,
        base_url: str,
        *,
        key: SigningKey,
        actor_id: str,
        role: str,
        session: aiohttp.ClientSession,
    ) -> None:
        """Act as ``actor_id`` in ``role`` against the hub at ``base_url``."""
        super().__init__(base_url, key=key, sender=actor_id, session=session)
        self.actor_id = actor_id
        self.role = role
        self._count = 0

    async def decide(
        self, collection: str, item_id: int, action: str, reason: str = ""
    ) -> dict[str, Any]:
        """Accept, approve or reject an item; returns the hub's receipt."""
        payload = {
            "type": "decision/v1",
            "subject_id": str(item_id),
            "action": action,
            "actor": self._actor(),
            "reasons": [reason] if reason else [],
            "decided_at": datetime.now(UTC).isoformat(),
        }
        return await self._post(f"/v1/{collection}/{item_id}/decisions", payload)

    async def step(self, task_id: str, to_status: str, **details: Any) -> dict[str, Any]:
        """Move a verification task on (in_progress, confirmed, cleared)."""
        payload = {
            "type": "task_transition/v1",
            "task_id": task_id,
            "to_status": to_status,
            "actor": self._actor(),
            "at": datetime.now(UTC).isoformat(),
            **details,
        }
        return await self._post(f"/v1/verification-tasks/{task_id}/transitions", payload)

    async def open_tasks(self, region: str) -> list[dict[str, Any]]:
        """The region's open verification tasks (the monthly suspected-death list)."""
        token = issue_read_token(self.key, sender=self.actor_id)
        async with self.session.get(
            f"{self.base_url}/v1/verification-tasks",
            params={"status": "open", "region": region},
            headers={"Authorization": f"Bearer {token}"},
        ) as response:
            response.raise_for_status()
            page: dict[str, Any] = await response.json()
        items: list[dict[str, Any]] = page["items"]
        return items

    def _actor(self) -> dict[str, str]:
        return {"id": self.actor_id, "role": self.role}

    async def _post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        self._count += 1
        jti = f"{self.actor_id}-{datetime.now(UTC):%Y%m%d%H%M%S%f}-{self._count}"
        return await self.post_signed(path, self.sign(payload, jti=jti))
