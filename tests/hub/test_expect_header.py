"""An ``Expect`` the hub does not meet gets a problem document, over the test server's socket.

aiohttp answers an ``Expect`` other than ``100-continue`` itself, before any
middleware runs: ``417`` in plain text (``Unknown Expect: …``), to anyone. Every
refusal of the hub is RFC 9457, so this one is ``417 expectation-failed``, and
nothing is read or stored. The document replaced aiohttp's text but kept its
Content-Length (19 for 'Unknown Expect: foo'), so on a kept-alive connection a client
(or a proxy pooling connections) read 19 bytes of it and took the rest, which quotes the
client's Expect value, as the next response: now the length is the document's.
"""

from __future__ import annotations

import json

from hubkit import Hub
from rawkit import exchange

from certhub.hub.core.keys import STORE


async def _answered(hub: Hub, request: bytes) -> tuple[bytes, bytes]:
    """The head of the hub's answer to the raw ``request``, and all that follows it."""
    server = hub.client.server
    head, _, rest = (await exchange(server.host, server.port, request)).partition(b"\r\n\r\n")
    return head, rest


async def test_an_unknown_expectation_is_a_problem_document(hub: Hub) -> None:
    before = await hub.client.app[STORE].count()
    head, body = await _answered(
        hub,
        b"POST /v1/reports HTTP/1.1\r\nHost: hub\r\nContent-Type: application/jose\r\n"
        b"Expect: 200-ok\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
    )
    assert head.split(b"\r\n")[0].split()[1] == b"417", head
    assert b"content-type: application/problem+json" in head.lower(), head
    assert json.loads(body)["type"] == "urn:certhub:problem:expectation-failed"
    assert await hub.client.app[STORE].count() == before


async def test_a_417_on_a_kept_alive_connection_leaves_the_next_answer_intact(hub: Hub) -> None:
    head, rest = await _answered(
        hub,
        b"GET /healthz HTTP/1.1\r\nHost: hub\r\nExpect: foo\r\n\r\n"
        b"GET /healthz HTTP/1.1\r\nHost: hub\r\nConnection: close\r\n\r\n",
    )
    fields = dict(line.lower().split(b": ", 1) for line in head.split(b"\r\n")[1:])
    length = int(fields[b"content-length"])
    assert head.startswith(b"HTTP/1.1 417 ")
    assert json.loads(rest[:length])["type"] == "urn:certhub:problem:expectation-failed"
    assert rest[length:].startswith(b"HTTP/1.1 200 OK\r\n"), rest[length:][:80]
