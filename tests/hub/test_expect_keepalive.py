"""An Expect the hub does not meet, on a kept-alive connection: the next answer is intact.

The 417 problem document replaced aiohttp's text body but kept its Content-Length (19 for
'Unknown Expect: foo'), so a client (or a proxy pooling connections) read 19 bytes of the
problem and took the rest, which quotes the client's Expect value, as the next response.
"""

from __future__ import annotations

import asyncio
import json

from hubkit import Hub


async def test_a_417_on_a_kept_alive_connection_leaves_the_next_answer_intact(hub: Hub) -> None:
    server = hub.client.server
    reader, writer = await asyncio.open_connection(server.host, server.port)
    try:
        writer.write(
            b"GET /healthz HTTP/1.1\r\nHost: hub\r\nExpect: foo\r\n\r\n"
            b"GET /healthz HTTP/1.1\r\nHost: hub\r\nConnection: close\r\n\r\n"
        )
        async with asyncio.timeout(5):
            answer = await reader.read()
    finally:
        writer.close()
    head, _, rest = answer.partition(b"\r\n\r\n")
    length = int(
        next(
            line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
        ).split(b":")[1]
    )
    assert head.startswith(b"HTTP/1.1 417 ")
    assert json.loads(rest[:length])["type"] == "urn:certhub:problem:expectation-failed"
    assert rest[length:].startswith(b"HTTP/1.1 200 OK\r\n"), rest[length:][:80]
