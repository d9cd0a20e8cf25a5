"""What every mock department's aiohttp app shares: admin endpoints and common faults.

``GET/PUT /_admin/faults`` reads or replaces the fault configuration at run
time; ``GET /_admin/stats`` counts requests and fired faults. Latency, hangs
and TCP resets are protocol-neutral and applied here.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web
from aiohttp.typedefs import Handler
from pydantic import ValidationError

from .faults import FaultConfig, FaultInjector, FaultKind

__all__ = ["MockDepartment", "Neutralized", "serve"]

ADMIN = "/_admin"


class Neutralized(Exception):
    """The request was consumed by a protocol-neutral fault (reset); no answer follows."""


class MockDepartment:
    """Base of the mocks: an injector, admin routes, and :meth:`begin` for each request."""

    name = "mock"

    def __init__(self, faults: FaultConfig | None = None) -> None:
        self.injector = FaultInjector(faults)

    def app(self) -> web.Application:
        """The aiohttp application, admin routes included; subclasses add theirs."""
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_get(f"{ADMIN}/faults", self._get_faults)
        app.router.add_put(f"{ADMIN}/faults", self._put_faults)
        app.router.add_get(f"{ADMIN}/stats", self._stats)
        self.add_routes(app)
        return app

    def add_routes(self, app: web.Application) -> None:
        """Add the department's own routes."""

    async def begin(self, request: web.Request) -> FaultKind:
        """Draw this request's fault and apply latency, hang or reset.

        Raises:
            Neutralized: the connection was reset; the handler must return nothing useful.
        """
        kind, latency = self.injector.draw()
        if latency:
            await asyncio.sleep(latency)
        if kind is FaultKind.hang:
            await asyncio.sleep(self.injector.config.hang_seconds)
        if kind is FaultKind.reset:
            _reset(request)
            raise Neutralized
        return kind

    async def _get_faults(self, _request: web.Request) -> web.Response:
        return web.json_response(json.loads(self.injector.config.model_dump_json()))

    async def _put_faults(self, request: web.Request) -> web.Response:
        try:
            config = FaultConfig.model_validate_json(await request.read())
        except ValidationError as exc:
            return web.json_response({"errors": exc.errors(include_input=False)}, status=400)
        self.injector.configure(config)
        return web.json_response(json.loads(config.model_dump_json()))

    async def _stats(self, _request: web.Request) -> web.Response:
        return web.json_response(
            {"requests": self.injector.requests, "faults": dict(self.injector.fired)}
        )


def _reset(request: web.Request) -> None:
    """Close the connection with a TCP RST (SO_LINGER 0), not a graceful FIN."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


@web.middleware
async def _neutralized(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except Neutralized:
        return web.Response(status=499)  # never reaches the client: the socket is gone


@asynccontextmanager
async def serve(mock: MockDepartment, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
    """Run ``mock`` on ``host:port`` (0 = any free port) and yield its base URL."""
    app = mock.app()
    app.middlewares.append(_neutralized)
    runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=0.5, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = runner.addresses[0][1]
    try:
        yield f"http://{host}:{bound}"
    finally:
        await runner.cleanup()
