"""Test kit for a running hub: parties, signing, pushing, pulling."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from certhub.hub.core.settings import Settings
from certhub.mocks.population import Population
from certhub.security import SigningKey, TrustStore, issue_read_token, parse_area, sign_compact

REPORT_TYPES = ["eligibility_report/v1", "zero_report/v1"]
JOSE = {"Content-Type": "application/jose"}


@dataclass
class TrustedParties:
    """A test hub's client and settings, and the keys of the parties its trust store knows."""

    client: TestClient[Any, Any]
    settings: Settings
    keys: dict[str, SigningKey]
    counter: int = 0  # numbers the message ids the kit signs

    def bearer(self, party: str = "province", **kwargs: Any) -> dict[str, str]:
        """An Authorization header with a fresh read token of ``party``."""
        token = issue_read_token(self.keys[party], sender=party, **kwargs)
        return {"Authorization": f"Bearer {token}"}


@dataclass
class Hub(TrustedParties):
    """A test hub and the parties it trusts."""

    population: Population = field(default_factory=lambda: Population(seed=11))

    def sign(
        self,
        payload: dict[str, Any] | bytes,
        *,
        party: str = "city",
        sender: str | None = None,
        typ: str | None = None,
        jti: str | None = None,
        iat: int | None = None,
    ) -> bytes:
        """A compact JWS of ``payload`` by ``party``'s key."""
        if isinstance(payload, bytes):
            body = payload
        else:
            body = json.dumps(payload, ensure_ascii=False).encode()
            typ = typ or payload["type"]
        self.counter += 1
        return sign_compact(
            body,
            key=self.keys[party],
            typ=typ or "eligibility_report/v1",
            sender=sender or party,
            jti=jti or f"msg-{self.counter}",
            iat=iat,
        )

    def report(self, **changes: Any) -> dict[str, Any]:
        """A valid eligibility-report payload with ``changes`` applied."""
        return self.population.eligibility_report() | changes

    async def push(
        self, token: bytes, path: str = "/v1/reports", headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, Any]]:
        """POST ``token`` and return (status, JSON body)."""
        response = await self.client.post(path, data=token, headers=headers or JOSE)
        return response.status, await response.json(content_type=None)

    async def pull(self, path: str = "/v1/reports", **params: str) -> tuple[int, dict[str, Any]]:
        """GET a pull page as the provincial system."""
        response = await self.client.get(path, params=params, headers=self.bearer())
        return response.status, await response.json(content_type=None)

    async def stored(self) -> int:
        """How many ledger records exist."""
        from certhub.hub.core.keys import STORE

        stored: int = await self.client.app[STORE].count()
        return stored


def write_trust_store(path: Path, keys: dict[str, SigningKey]) -> None:
    """Enrol the standard parties; the ``intruder`` stays unknown."""
    store = TrustStore.empty()
    rights: dict[str, tuple[list[str], bool]] = {
        "city": (REPORT_TYPES, False),
        "other-city": (REPORT_TYPES, False),
        "channel": (["certification_event/v1"], False),
        "province": ([], True),
    }
    for party, (may_send, may_read) in rights.items():
        store = store.add(
            keys[party].public_jwk(), sender=party, may_send=may_send, may_read=may_read
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    store.save(path)


def with_area_staff(
    store: TrustStore,
    keys: dict[str, SigningKey],
    staff: Mapping[str, tuple[str, str | None]],
    may_send: Callable[[str], list[str]],
) -> TrustStore:
    """``store`` and ``staff`` (party -> role and area, ``None`` for any area): each may read,
    within its area, and send what ``may_send`` gives for its role."""
    for party, (role, area) in staff.items():
        store = store.add(
            keys[party].public_jwk(),
            sender=party,
            may_send=may_send(role),
            may_read=True,
            role=role,
            area=None if area is None else parse_area(area),
        )
    return store


def an_hour_ago() -> datetime:
    """A time well outside the default clock skew."""
    return datetime.now(UTC) - timedelta(hours=1)


def app_event(
    person: dict[str, Any],
    at: str | None = None,
    *,
    app: str = "app_12333",
    outcome: str = "certified",
) -> dict[str, Any]:
    """A face certification of ``person`` by an app channel at ``at`` (ISO 8601; now by
    default), which needs no evidence."""
    return {
        "type": "certification_event/v1",
        "person": person,
        "method": "face",
        "channel": {"kind": app},
        "outcome": outcome,
        "occurred_at": at or datetime.now(UTC).isoformat(),
    }
