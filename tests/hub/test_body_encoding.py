"""A body whose Content-Encoding does not decode is the client's mistake, not the hub's.

aiohttp inflates ``gzip`` and ``deflate`` bodies as the handler reads them; bytes
that are not what the header says make the read raise. Anyone can send such a
body to the anonymous writes (``/v1/reports``, ``/v1/enrolments``), so it must
get ``400 malformed-request`` and a closed connection, store nothing, and log no
error. Raw HTTP/1.1 on the test server's real socket.
"""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from hubkit import Hub

from certhub.hub.core.keys import STORE

PROBLEM = "urn:certhub:problem:"


async def _answer(hub: Hub, request: bytes) -> tuple[bytes, dict[str, object]]:
    """The status line and problem document of one raw request; fails unless the hub
    closes the connection within 5 s."""
    server = hub.client.server
    reader, writer = await asyncio.open_connection(server.host, server.port)
    try:
        writer.write(request)
        await writer.drain()
        async with asyncio.timeout(5):
            answer = await reader.read()  # to EOF: the hub must close the connection
    finally:
        writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0], json.loads(body)


# Each write that reads a body: its media type and whether it authenticates first.
ROUTES = {
    "/v1/reports": ("application/jose", False),
    "/v1/enrolments": ("application/json", False),
    "/v1/evidence": ("image/png", True),
}


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
@pytest.mark.parametrize("path", ROUTES)
async def test_a_body_that_does_not_decode_is_malformed(
    hub: Hub, caplog: pytest.LogCaptureFixture, encoding: str, path: str
) -> None:
    media_type, token = ROUTES[path]
    body = b"these bytes were never compressed " * 8
    bearer = hub.bearer("city", scope="evidence") if token else {}
    auth = "".join(f"{name}: {value}\r\n" for name, value in bearer.items())
    head = (
        f"POST {path} HTTP/1.1\r\nHost: hub\r\nContent-Type: {media_type}\r\n{auth}"
        f"Content-Encoding: {encoding}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    store = hub.client.app[STORE]
    before = await store.count()
    status, problem = await _answer(hub, head.encode("latin-1") + body)
    assert status.split()[1] == b"400", (status, problem)
    assert problem["type"] == PROBLEM + "malformed-request"
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert await store.count() == before
