"""A mock provincial system (省集中式人社一体化信息系统) pulling from the hub.

It pulls every record by cursor with a short-lived read token and trusts
nothing it is handed: each record's JWS is re-verified against the sender's
public key it holds itself, the digest recomputed, the payload compared with
the signed bytes, and the hub's receipt verified against the hub's JWK Set.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp

from certhub.mocks.hub_client import HubClient
from certhub.security import (
    SecurityError,
    SigningKey,
    VerifyingKey,
    issue_read_token,
    parse_compact,
    verify_receipt,
)


@dataclass
class PullSummary:
    """What was pulled and how much of it checked out."""

    pulled: int = 0
    verified: int = 0
    pages: int = 0
    failures: list[str] = field(default_factory=list)


class ProvincialSystem(HubClient):
    """Pulls and independently re-verifies ledger records."""

    def __init__(
        self,
        base_url: str,
        *,
        key: SigningKey,
        sender: str,
        session: aiohttp.ClientSession,
        sender_keys: Mapping[str, Mapping[str, Any]],
    ) -> None:
        """Pull as ``sender``; ``sender_keys`` is the province's own JWK per kid."""
        super().__init__(base_url, key=key, sender=sender, session=session)
        # kid -> (sender, public key): the province's own copy of who signs what
        self.sender_keys = {kid: VerifyingKey.from_jwk(jwk) for kid, jwk in sender_keys.items()}
        self.hub_keys: dict[str, VerifyingKey] = {}  # fetched from the hub at each pull

    async def push_roster(self, person: Mapping[str, Any], **entry: Any) -> dict[str, Any]:
        """Send the hub this person's roster entry (monthly amount, paid through, account)."""
        payload = {
            "type": "benefit_record/v1",
            "person": dict(person),
            "as_of": datetime.now(UTC).isoformat(),
            **entry,
        }
        return await self.post_signed("/v1/roster", self.sign(payload, jti=uuid.uuid4().hex))

    async def pull_all(self, collection: str = "reports", *, limit: int = 100) -> PullSummary:
        """Pull ``collection`` from the beginning to the end, verifying each record."""
        summary = PullSummary()
        async with self.session.get(f"{self.base_url}/.well-known/jwks.json") as response:
            response.raise_for_status()
            hub_jwks = await response.json()
        self.hub_keys = {jwk["kid"]: VerifyingKey.from_jwk(jwk) for jwk in hub_jwks["keys"]}
        cursor = ""
        while True:
            page = await self._page(collection, cursor, limit)
            summary.pages += 1
            for item in page["items"]:
                summary.pulled += 1
                problem = self.check(item, hub_jwks)
                if problem is None:
                    summary.verified += 1
                else:
                    summary.failures.append(f"sequence {item.get('sequence')}: {problem}")
            cursor = page["next_cursor"]
            if not page["has_more"]:
                return summary

    async def pull_records(self, collection: str, *, limit: int = 100) -> list[dict[str, Any]]:
        """Every item of ``collection`` as pulled (verification is :meth:`pull_all`'s job)."""
        items: list[dict[str, Any]] = []
        cursor = ""
        while True:
            page = await self._page(collection, cursor, limit)
            items += page["items"]
            cursor = page["next_cursor"]
            if not page["has_more"]:
                return items

    async def _page(self, collection: str, cursor: str, limit: int) -> dict[str, Any]:
        token = issue_read_token(self.key, sender=self.sender)
        params = {"limit": str(limit)} | ({"after": cursor} if cursor else {})
        async with self.session.get(
            f"{self.base_url}/v1/{collection}",
            params=params,
            headers={"Authorization": f"Bearer {token}"},
        ) as response:
            response.raise_for_status()
            page: dict[str, Any] = await response.json()
            return page

    def check(self, item: Mapping[str, Any], hub_jwks: Mapping[str, Any]) -> str | None:
        """Why ``item`` fails verification, or None when it is sound."""
        raw = item["jws"].encode("ascii")
        try:
            jws = parse_compact(raw)
            key = self.sender_keys.get(jws.kid) or self.hub_keys.get(jws.kid)
            if key is None:
                return f"signed by unknown key {jws.kid}"
            if not key.verify(jws.signature, jws.signing_input):
                return "signature does not verify"
            if jws.kid in self.hub_keys and not item.get("receipt"):
                return None if json.loads(jws.payload) == item["payload"] else "payload differs"
            receipt = verify_receipt(item["receipt"], hub_jwks)
        except SecurityError as exc:
            return f"{exc.slug}: {exc.detail}"
        digest = hashlib.sha256(raw).hexdigest()
        checks = {
            "receipt message_id": receipt.get("message_id") == jws.jti,
            "receipt sender": receipt.get("sender") == jws.sender,
            "receipt sha256": receipt.get("sha256") == digest,
            "receipt ledger_sequence": receipt.get("ledger_sequence") == item["sequence"],
            "record sha256": item["sha256"] == digest,
            "record payload": json.loads(jws.payload) == item["payload"],
        }
        failed = [name for name, ok in checks.items() if not ok]
        return f"{', '.join(failed)} do(es) not match the signed message" if failed else None
