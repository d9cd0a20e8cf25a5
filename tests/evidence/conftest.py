"""Fixtures: a running hub on 127.0.0.1 (as in tests/hub) plus evidence helpers."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestServer
from hub_fixtures import hub, hub_factory, party_keys
from hubkit import Hub
from prometheus_client import CollectorRegistry

from certhub.hub.core.keys import EVIDENCE
from certhub.hub.core.settings import Settings
from certhub.hub.evidence import EvidenceKeyError, EvidenceVault
from certhub.hub.runtime.app import create_app

__all__ = [
    "hub",
    "hub_factory",
    "party_keys",
    "refuses_to_start",
    "stored_blobs",
    "upload",
    "vault_of",
]


def vault_of(hub: Hub) -> EvidenceVault:
    """The running hub's evidence vault."""
    return hub.client.app[EVIDENCE]


def stored_blobs(hub: Hub) -> list[Path]:
    """Every file under the vault folder (temporary files included)."""
    root = hub.settings.data_dir / "evidence"
    return sorted(path for path in root.rglob("*") if path.is_file())


async def upload(
    hub: Hub,
    data: bytes,
    content_type: str,
    *,
    party: str = "city",
    headers: dict[str, str] | None = None,
) -> tuple[ClientResponse, dict[str, Any]]:
    """POST ``data`` as ``party`` with an evidence-scoped token; the response and its JSON."""
    sent = {"Content-Type": content_type, **hub.bearer(party, scope="evidence"), **(headers or {})}
    # A file-like body: aiohttp warns about large raw ``bytes`` bodies.
    response = await hub.client.post("/v1/evidence", data=io.BytesIO(data), headers=sent)
    return response, await response.json(content_type=None)


async def download(hub: Hub, digest: str, *, party: str = "province") -> ClientResponse:
    """GET the evidence ``digest`` as ``party`` with a read token."""
    return await hub.client.get(f"/v1/evidence/{digest}", headers=hub.bearer(party))


def problem_slug(body: dict[str, Any]) -> str:
    """The slug of a problem document's ``type``."""
    return str(body["type"]).removeprefix("urn:certhub:problem:")


async def refuses_to_start(settings: Settings, match: str) -> None:
    """A hub on ``settings`` fails to start with an evidence key error matching ``match``."""
    server = TestServer(create_app(settings, registry=CollectorRegistry()))
    try:
        with pytest.raises(EvidenceKeyError, match=match):
            await server.start_server()
    finally:
        await server.close()
