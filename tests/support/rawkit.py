"""Raw HTTP/1.1 on a server's real socket: bytes written as they are (no client re-encodes
them), the answer read to its end (the server must close within the time given)."""

from __future__ import annotations

import asyncio


async def exchange(host: str, port: int, request: bytes, *, seconds: float = 5) -> bytes:
    """Write ``request`` to ``host:port`` and read until the server closes the connection;
    fails (``TimeoutError``) unless it does within ``seconds``."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(request)
        await writer.drain()
        async with asyncio.timeout(seconds):
            return await reader.read()
    finally:
        writer.close()
