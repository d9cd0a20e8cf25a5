"""Prometheus exposition: the ``/metrics`` response, and an optional separate port.

With ``CERTHUB_METRICS_PORT`` set, the registry is also served on its own
listener (so the scrape can be firewalled apart from the API). It opens first
and closes last, so scrapes keep working while the rest of the hub shuts down.
"""

from __future__ import annotations

import errno
from collections.abc import AsyncIterator, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest


class MetricsPortInUse(OSError):
    """The configured metrics port cannot be bound (already in use, or not permitted)."""


def metrics_response(registry: CollectorRegistry) -> web.Response:
    """The Prometheus text exposition of ``registry``."""
    return web.Response(
        body=generate_latest(registry),
        headers={"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"},
    )


class MetricsServer:
    """A listener that serves only ``GET /metrics`` for one registry."""

    def __init__(self, registry: CollectorRegistry, *, host: str, port: int) -> None:
        self._registry = registry
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None

    @property
    def port(self) -> int:
        """The bound port (useful when configured as 0)."""
        if self._runner is None or not self._runner.addresses:
            return self._port
        return int(self._runner.addresses[0][1])

    async def start(self) -> None:
        """Bind and serve.

        Raises:
            MetricsPortInUse: the address cannot be bound; the message names it
                and the setting to change.
        """
        app = web.Application()
        app.router.add_get("/metrics", self._scrape)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, self._host, self._port).start()
        except OSError as exc:
            await runner.cleanup()
            reason = "already in use" if exc.errno == errno.EADDRINUSE else exc.strerror
            raise MetricsPortInUse(
                exc.errno,
                f"cannot serve metrics on {self._host}:{self._port}: {reason}; "
                "choose a free port with CERTHUB_METRICS_PORT",
            ) from exc
        self._runner = runner

    async def stop(self) -> None:
        """Stop listening; in-flight scrapes finish first."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _scrape(self, request: web.Request) -> web.Response:
        return metrics_response(self._registry)


def serve_metrics(
    registry: CollectorRegistry, *, host: str, port: int
) -> Callable[[web.Application], AsyncIterator[None]]:
    """An ``app.cleanup_ctx`` entry that runs a :class:`MetricsServer` alongside the app."""

    async def _context(app: web.Application) -> AsyncIterator[None]:
        server = MetricsServer(registry, host=host, port=port)
        await server.start()
        try:
            yield
        finally:
            await server.stop()

    return _context
