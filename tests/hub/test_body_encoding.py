"""A body whose Content-Encoding does not decode is the client's mistake, not the hub's.

aiohttp inflates ``gzip`` and ``deflate`` bodies as the handler reads them; bytes
that are not what the header says make the read raise. Anyone can send such a
body to the anonymous writes (``/v1/reports``, ``/v1/enrolments``), so it must
get ``400 malformed-request`` and a closed connection, store nothing, and log no
error. A body in a coding aiohttp does not decode (``compress``, a made-up one, a list,
``br`` without Brotli) was read as it came: refused later as a JWS, JSON or image it
is not, or stored coded; now ``415 unsupported-media-type`` before it is read, with
``Accept-Encoding`` naming the codings taken. Raw HTTP/1.1 on the test server's real socket.
"""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

import pytest
from hubkit import Hub
from prometheus_client import CollectorRegistry
from rawkit import exchange

from certhub.hub.core.keys import STORE
from certhub.hub.core.settings import Settings
from certhub.hub.runtime.app import create_app
from certhub.hub.runtime.serving import start_hub

PROBLEM = "urn:certhub:problem:"


async def _answer(hub: Hub, request: bytes) -> tuple[bytes, dict[str, object]]:
    """The status line and problem document of one raw request; fails unless the hub
    closes the connection within 5 s."""
    head, problem = await _answered(hub, request)
    return head.split(b"\r\n")[0], problem


async def _answered(hub: Hub, request: bytes) -> tuple[bytes, dict[str, object]]:
    """The head and problem document of one raw request, the connection closed within 5 s."""
    server = hub.client.server
    return await _exchange(server.host, server.port, request)


async def _exchange(host: str, port: int, request: bytes) -> tuple[bytes, dict[str, object]]:
    """The head and problem document of ``request`` sent raw to ``host:port``; fails unless
    the server closes the connection within 5 s."""
    head, _, body = (await exchange(host, port, request)).partition(b"\r\n\r\n")
    return head, json.loads(body)


# Each write that reads a body: its media type and whether it authenticates first.
ROUTES = {
    "/v1/reports": ("application/jose", False),
    "/v1/enrolments": ("application/json", False),
    "/v1/evidence": ("image/png", True),
}


def _post(hub: Hub, path: str, encoding: str, body: bytes) -> bytes:
    """A raw POST of ``body`` to ``path`` in ``encoding``, authenticated where it must be."""
    media_type, token = ROUTES[path]
    bearer = hub.bearer("city", scope="evidence") if token else {}
    auth = "".join(f"{name}: {value}\r\n" for name, value in bearer.items())
    head = (
        f"POST {path} HTTP/1.1\r\nHost: hub\r\nContent-Type: {media_type}\r\n{auth}"
        f"Content-Encoding: {encoding}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
@pytest.mark.parametrize("path", ROUTES)
async def test_a_body_that_does_not_decode_is_malformed(
    hub: Hub, caplog: pytest.LogCaptureFixture, encoding: str, path: str
) -> None:
    body = b"these bytes were never compressed " * 8
    store = hub.client.app[STORE]
    before = await store.count()
    status, problem = await _answer(hub, _post(hub, path, encoding, body))
    assert status.split()[1] == b"400", (status, problem)
    assert problem["type"] == PROBLEM + "malformed-request"
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert await store.count() == before


# A PNG's first bytes: the evidence route took it as a PNG whatever coding it came in.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")


@pytest.mark.parametrize("encoding", ["compress", "x-certhub", "gzip, gzip", "identity, gzip"])
@pytest.mark.parametrize("path", ROUTES)
async def test_a_body_in_a_coding_not_decoded_is_refused_unread(
    hub: Hub, caplog: pytest.LogCaptureFixture, encoding: str, path: str
) -> None:
    store = hub.client.app[STORE]
    before = await store.count()
    head, problem = await _answered(hub, _post(hub, path, encoding, PNG * 4))
    _refused_unread(head, problem)
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert await store.count() == before


def _refused_unread(head: bytes, problem: dict[str, object]) -> None:
    """The answer is 415 unsupported-media-type naming the codings the hub decodes."""
    status, *fields = head.split(b"\r\n")
    headers = dict(line.decode("latin-1").lower().split(": ", 1) for line in fields)
    assert status.split()[1] == b"415", (status, problem)
    assert problem["type"] == PROBLEM + "unsupported-media-type"
    assert headers["accept-encoding"] == "gzip, deflate, identity"  # neither Brotli nor zstd


@pytest.mark.parametrize("encoding", ["br", "zstd"])
async def test_a_coding_the_parser_cannot_decode_is_refused_alike(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, encoding: str
) -> None:
    """aiohttp's parser itself refuses ``br`` without Brotli and ``zstd`` without its
    module, before any middleware: the served hub (its request handler) answers the same
    415, not a malformed request."""
    settings = Settings(data_dir=tmp_path / "data", signature_helper=False)
    runner = await start_hub(create_app(settings, registry=CollectorRegistry()), "127.0.0.1", 0)
    try:
        port = runner.addresses[0][1]
        request = (
            f"POST /v1/enrolments HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
            f"Content-Encoding: {encoding}\r\nContent-Length: 2\r\n\r\n{{}}"
        )
        head, problem = await _exchange("127.0.0.1", port, request.encode())
    finally:
        await runner.cleanup()
    _refused_unread(head, problem)
    # it names the coding sent and no path it was not sent to (the parser's stand-in: '', "/")
    assert f"Content-Encoding {encoding!r} is not decoded" in str(problem["detail"])
    assert "instance" not in problem
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_get_with_a_body_in_any_coding_is_answered_as_a_get(hub: Hub) -> None:
    """A GET's body is never read: its coding is nobody's business (no undocumented 415)."""
    request = (
        b"GET /healthz HTTP/1.1\r\nHost: hub\r\nContent-Encoding: x-certhub\r\n"
        b"Content-Length: 4\r\nConnection: close\r\n\r\nbody"
    )
    server = hub.client.server
    reader, writer = await asyncio.open_connection(server.host, server.port)
    try:
        writer.write(request)
        async with asyncio.timeout(5):
            answer = await reader.read()
    finally:
        writer.close()
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:80]
