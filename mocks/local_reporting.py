"""A mock local reporting system (e.g. a city's 城乡养老公共服务平台).

It signs each report with its own key as the registered collector and pushes
it to the hub over HTTP, one report per request, exactly as a real city
platform would. It also misbehaves on purpose — re-sends, tampered and
invalid messages — so a demo shows the hub's refusals too.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from certhub.mocks.hub_client import JOSE, HubClient
from certhub.mocks.population import Population
from certhub.security import issue_read_token


@dataclass
class PushSummary:
    """What happened to everything pushed."""

    pushed: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    rejections: Counter[str] = field(default_factory=Counter)
    receipts: dict[str, str] = field(default_factory=dict)


class ReportingSystem(HubClient):
    """Signs and pushes reports for one sender."""

    @cached_property
    def population(self) -> Population:
        """Makes up the people reported: the default seed unless another is assigned."""
        return Population()

    def sign(self, payload: dict[str, Any], *, jti: str | None = None) -> bytes:
        """The compact JWS for ``payload``, with a fresh message id unless ``jti`` is given."""
        return super().sign(payload, jti=jti or self.population.message_id())

    async def push(self, token: bytes, summary: PushSummary) -> None:
        """Push one signed message and record the hub's answer in ``summary``."""
        summary.pushed += 1
        async with self.session.post(
            f"{self.base_url}/v1/reports", data=token, headers={"Content-Type": JOSE}
        ) as response:
            body = await response.json(content_type=None)
        if response.status == 202:
            if body["duplicate"]:
                summary.duplicates += 1
            else:
                summary.accepted += 1
            summary.receipts[body["message_id"]] = body["receipt"]
        else:
            summary.rejected += 1
            summary.rejections[body.get("type", str(response.status))] += 1

    async def push_one(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Sign and push one report; the hub's receipt body (raises unless 202)."""
        return await self.post_signed("/v1/reports", self.sign(payload))

    async def upload_evidence(self, data: bytes, media_type: str) -> str:
        """Upload a document (bearer token with scope ``evidence``); its SHA-256."""
        token = issue_read_token(self.key, sender=self.sender, scope="evidence")
        async with self.session.post(
            f"{self.base_url}/v1/evidence",
            data=data,
            headers={"Content-Type": media_type, "Authorization": f"Bearer {token}"},
        ) as response:
            body: dict[str, Any] = await response.json(content_type=None)
            if response.status not in (200, 201):
                raise RuntimeError(f"evidence refused: {body.get('type')}: {body.get('detail')}")
            digest: str = body["sha256"]
            return digest

    async def run(self, reports: int, *, concurrency: int = 16) -> PushSummary:
        """Push ``reports`` reports and a zero report, re-send some, and try bad ones."""
        summary = PushSummary()
        period = datetime.now(UTC).strftime("%Y-%m")
        tokens = [self.sign(self.population.eligibility_report()) for _ in range(reports)]
        tokens.append(self.sign(self.population.zero_report(period)))
        await self._push_all(tokens, summary, concurrency)
        resend = tokens[:: max(1, len(tokens) // 10)]  # network retries: same bytes again
        await self._push_all(resend, summary, concurrency)
        await self._push_all(self.bad_messages(), summary, concurrency)
        return summary

    def bad_messages(self) -> list[bytes]:
        """Messages the hub must refuse: tampered, invalid ID, replayed message id."""
        good = self.sign(self.population.eligibility_report())
        head, payload, signature = good.split(b".")
        middle = len(payload) // 2
        flipped = b"A" if payload[middle : middle + 1] != b"A" else b"B"
        tampered = b".".join((head, payload[:middle] + flipped + payload[middle + 1 :], signature))
        invalid = self.population.eligibility_report()
        number = invalid["person"]["id_number"]
        invalid["person"]["id_number"] = number[:-1] + ("0" if number[-1] != "0" else "1")
        reused = self.sign(self.population.eligibility_report(), jti="reused-id")
        replay = self.sign(self.population.eligibility_report(), jti="reused-id")
        return [tampered, self.sign(invalid), reused, replay]

    async def _push_all(self, tokens: list[bytes], summary: PushSummary, concurrency: int) -> None:
        gate = asyncio.Semaphore(concurrency)

        async def one(token: bytes) -> None:
            async with gate:
                await self.push(token, summary)

        await asyncio.gather(*(one(token) for token in tokens))
