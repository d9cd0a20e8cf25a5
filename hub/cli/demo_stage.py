"""What the demos stand on: a hub serving on a free loopback port, and its parties, each
with a sender key in ``DATA_DIR/parties`` and a trust-store entry."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import aiohttp
from aiohttp import web
from prometheus_client import CollectorRegistry

from certhub.hub.core.settings import Settings
from certhub.hub.runtime.app import create_app
from certhub.security import (
    SigningKey,
    create_sender_key,
    issue_read_token,
    read_private_key,
    trust_add,
)

__all__ = [
    "DemoParty",
    "enrol_parties",
    "enrol_party",
    "party_key",
    "party_key_path",
    "read_json",
    "serving",
]


@contextlib.asynccontextmanager
async def serving(
    settings: Settings, *, registry: CollectorRegistry | None = None
) -> AsyncIterator[tuple[web.Application, str]]:
    """A hub for ``settings`` serving on a free port of 127.0.0.1: the app and its base URL."""
    app = create_app(settings, registry=registry)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        host, port = runner.addresses[0][:2]
        yield app, f"http://{host}:{port}"
    finally:
        await runner.cleanup()


class DemoParty(NamedTuple):
    """What a demo party is trusted for: its role, the types it may send, whether it may read."""

    role: str
    may_send: list[str]
    may_read: bool


def party_key_path(settings: Settings, name: str) -> Path:
    """Where party ``name``'s private key lives."""
    return settings.data_dir / "parties" / f"{name}.key.pem"


def party_key(settings: Settings, name: str) -> SigningKey:
    """Party ``name``'s private key, to sign its messages with."""
    return read_private_key(party_key_path(settings, name))


def enrol_party(settings: Settings, name: str, party: DemoParty) -> Path:
    """Give ``name`` a sender key and trust it as ``party``; return its public JWK's file."""
    _, public = create_sender_key(name, settings.data_dir / "parties")
    trust_add(
        settings.trust_store_path,
        public,
        sender=name,
        may_send=party.may_send,
        may_read=party.may_read,
        role=party.role,
    )
    return public


def enrol_parties(settings: Settings, parties: Mapping[str, DemoParty]) -> None:
    """Give each of ``parties`` a key and trust it in its role, once per data folder."""
    for name, party in parties.items():
        if not party_key_path(settings, name).exists():
            enrol_party(settings, name, party)


async def read_json(
    session: aiohttp.ClientSession, url: str, key: SigningKey, sender: str, path: str,
    **params: str,
) -> Any:  # fmt: skip
    """``GET path`` of the hub at ``url`` with a read token of ``sender`` (signed with
    ``key``): the JSON body (an error status raises)."""
    token = issue_read_token(key, sender=sender)
    headers = {"Authorization": f"Bearer {token}"}
    async with session.get(f"{url}{path}", params=params, headers=headers) as response:
        response.raise_for_status()
        return await response.json()
