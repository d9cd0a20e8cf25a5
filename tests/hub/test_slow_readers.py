"""A client that stops reading its answer does not keep its connection, over real sockets.

A 9 MB evidence file is more than the kernel's socket buffers hold, so a client
that asks for it and never reads leaves the hub's send waiting. Before, nothing
timed that wait: any reader (a coordinator reading back its own upload) could
hold every connection of the cap that way, each with the file in memory, and the
hub answered everyone else 503. Now a connection whose answer makes no progress
for the idle timeout is closed; a slow reader that keeps reading gets it all.
"""

from __future__ import annotations

import asyncio
import io
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from evidence_samples import pdf
from hubkit import write_trust_store
from prometheus_client import CollectorRegistry

from certhub.hub.core.settings import Settings
from certhub.hub.runtime.app import create_app
from certhub.hub.runtime.serving import start_hub
from certhub.security import SigningKey, issue_read_token

IDLE = 0.5
CAP = 3


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[int, str, str]]:
    """A hub on a real port holding a 9 MB PDF: (port, its digest, a read token)."""
    keys = {party: SigningKey.generate() for party in ("city", "other-city", "channel", "province")}
    settings = Settings(
        data_dir=tmp_path / "data",
        signature_helper=False,
        http_idle_timeout_seconds=IDLE,
        http_max_connections=CAP,
    )
    write_trust_store(settings.trust_store_path, keys)
    runner = await start_hub(create_app(settings, registry=CollectorRegistry()), "127.0.0.1", 0)
    port = runner.addresses[0][1]
    try:
        upload = issue_read_token(keys["city"], sender="city", scope="evidence")
        async with aiohttp.ClientSession() as session:
            response = await session.post(
                f"http://127.0.0.1:{port}/v1/evidence",
                data=io.BytesIO(pdf("a large scan", padding=9_000_000)),
                headers={"Authorization": f"Bearer {upload}", "Content-Type": "application/pdf"},
            )
            assert response.status == 201, await response.text()
            digest = (await response.json())["sha256"]
        yield port, digest, issue_read_token(keys["province"], sender="province")
    finally:
        await runner.cleanup()


def _asking(port: int, digest: str, token: str) -> socket.socket:
    """A connection that asks for the evidence with a tiny receive buffer."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    sock.sendall(
        f"GET /v1/evidence/{digest} HTTP/1.1\r\nHost: hub\r\n"
        f"Authorization: Bearer {token}\r\n\r\n".encode()
    )
    sock.setblocking(False)
    return sock


async def _healthz(port: int) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: hub\r\n\r\n")
        async with asyncio.timeout(3):
            return await reader.readline()
    finally:
        writer.close()


async def test_readers_that_stop_reading_lose_their_connections(
    served: tuple[int, str, str],
) -> None:
    port, digest, token = served
    stalled = [_asking(port, digest, token) for _ in range(CAP)]
    try:
        await asyncio.sleep(6 * IDLE)  # each send stalls for good, well past the idle timeout
        status = await _healthz(port)
        assert status.startswith(b"HTTP/1.1 200"), status  # a free connection again
    finally:
        for sock in stalled:
            sock.close()


async def test_a_slow_reader_that_keeps_reading_gets_the_whole_file(
    served: tuple[int, str, str],
) -> None:
    port, digest, token = served
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(
            f"GET /v1/evidence/{digest} HTTP/1.1\r\nHost: hub\r\n"
            f"Authorization: Bearer {token}\r\n\r\n".encode()
        )
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(
            next(
                line.split(b":")[1]
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            )
        )
        received = 0
        async with asyncio.timeout(30):
            while received < length:  # 1 MB each 0.3 s at most: never stalled for 0.5 s
                chunk = await reader.read(1 << 20)
                assert chunk, f"closed after {received} of {length} bytes"
                received += len(chunk)
                await asyncio.sleep(0.3)
        assert received == length
    finally:
        writer.close()
