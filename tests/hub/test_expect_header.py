"""An ``Expect`` the hub does not meet gets a problem document, over the test server's socket.

aiohttp answers an ``Expect`` other than ``100-continue`` itself, before any
middleware runs: ``417`` in plain text (``Unknown Expect: …``), to anyone. Every
refusal of the hub is RFC 9457, so this one is ``417 expectation-failed``, and
nothing is read or stored.
"""

from __future__ import annotations

import asyncio
import json

from hubkit import Hub

from certhub.hub.core.keys import STORE


async def test_an_unknown_expectation_is_a_problem_document(hub: Hub) -> None:
    server = hub.client.server
    before = await hub.client.app[STORE].count()
    reader, writer = await asyncio.open_connection(server.host, server.port)
    try:
        writer.write(
            b"POST /v1/reports HTTP/1.1\r\nHost: hub\r\nContent-Type: application/jose\r\n"
            b"Expect: 200-ok\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc"
        )
        async with asyncio.timeout(5):
            answer = await reader.read()
    finally:
        writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split(b"\r\n")[0].split()[1] == b"417", answer
    assert b"content-type: application/problem+json" in head.lower(), head
    assert json.loads(body)["type"] == "urn:certhub:problem:expectation-failed"
    assert await hub.client.app[STORE].count() == before
