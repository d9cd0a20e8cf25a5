"""The paced (open-loop) load generator: raw HTTP/1.1 on keep-alive connections.

An open loop sends each request at its scheduled time whether or not earlier
ones were answered, and counts latency from that time, so a stalled server
cannot hide its queue (no coordinated omission). ``wrk`` cannot do that (its
``delay()`` spaces one connection's requests after each answer), and the
aiohttp client did it at about 370 µs of CPU a request: at the hub's paced
rate it took 37% of one of the machine's two cores, and the hub's threads
waited for a CPU meanwhile. This one writes prepared bytes on idle
connections and reads only the status line and ``Content-Length`` of each
answer, a fraction of that cost (printed with every paced phase).

It speaks just enough HTTP/1.1 for the servers it drives (answers carry a
``Content-Length``); anything else, or a connection that closes with a
request on it, counts as a failed request.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import cast
from urllib.parse import urlsplit

Sent = tuple[float, float, float, bool]  # scheduled, sent, answered, accepted (202)
WARM_CONNECTIONS = 64  # opened before the first request, so none waits for a handshake
ANSWER_WAIT = 30.0  # seconds the last requests may take after the last was sent


class _Connection(asyncio.Protocol):
    """One keep-alive connection carrying one request at a time."""

    def __init__(self, pool: _Pool) -> None:
        self._pool = pool
        self._transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._request: tuple[float, float] | None = None  # scheduled, sent

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # a TCP connection's

    def send(self, scheduled: float, request: bytes) -> None:
        """Write ``request``, due at ``scheduled`` (a closed connection fails it at once)."""
        self._request = (scheduled, time.perf_counter())
        if self._transport is None:
            self._fail()
        else:
            self._transport.write(request)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0 or self._request is None:
            return
        head = bytes(self._buffer[:end]).lower()
        marker = head.find(b"\r\ncontent-length:")
        if marker < 0:
            self._fail()
            return
        length = int(head[marker + 17 :].split(b"\r\n", 1)[0])
        if len(self._buffer) < end + 4 + length:
            return
        del self._buffer[: end + 4 + length]
        scheduled, sent = self._request
        self._request = None
        self._pool.answered(self, (scheduled, sent, time.perf_counter(), head[9:12] == b"202"))

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None
        self._fail()

    def close(self) -> None:
        """Close the connection (nothing is on it)."""
        if self._transport is not None:
            self._transport.close()

    def _fail(self) -> None:
        if self._request is not None:
            scheduled, sent = self._request
            self._request = None
            self._pool.answered(None, (scheduled, sent, time.perf_counter(), False))
        if self._transport is not None:
            self._transport.close()


class _Pool:
    """Idle connections to one server, and what was answered."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.idle: list[_Connection] = []
        self.sent: list[Sent] = []
        self.outstanding = 0
        self.drained = asyncio.Event()

    async def connection(self) -> _Connection:
        """An idle connection, or a new one."""
        if self.idle:
            return self.idle.pop()
        loop = asyncio.get_running_loop()
        _, protocol = await loop.create_connection(lambda: _Connection(self), self.host, self.port)
        return protocol

    def answered(self, connection: _Connection | None, row: Sent) -> None:
        """Record ``row``; ``connection`` (None once closed) may carry the next request."""
        self.sent.append(row)
        if connection is not None:
            self.idle.append(connection)
        self.outstanding -= 1
        if self.outstanding == 0:
            self.drained.set()


async def open_loop(url: str, tokens: Iterator[bytes], rate: float, seconds: float) -> list[Sent]:
    """POST ``rate`` tokens a second to ``url`` for ``seconds``: each request's times."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    head = (
        f"POST {parts.path or '/'} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        "Content-Type: application/jose\r\nContent-Length: "
    ).encode()
    pool = _Pool(host, port)
    pool.idle = list(await asyncio.gather(*(pool.connection() for _ in range(WARM_CONNECTIONS))))
    total = int(rate * seconds)
    begin = time.perf_counter() + 0.05
    index = 0
    while index < total:
        now = time.perf_counter()
        due = begin + index / rate
        if due > now:
            await asyncio.sleep(due - now)
            continue
        while index < total and begin + index / rate <= now:  # every request now due
            token = next(tokens)
            pool.outstanding += 1
            pool.drained.clear()
            connection = await pool.connection()
            connection.send(begin + index / rate, b"%s%d\r\n\r\n%s" % (head, len(token), token))
            index += 1
    if pool.outstanding:
        await asyncio.wait_for(pool.drained.wait(), ANSWER_WAIT)
    for connection in pool.idle:
        connection.close()
    return pool.sent
