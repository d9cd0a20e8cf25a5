"""Serve the hub's app behind connection limits: a cap on open connections, idle timeouts.

aiohttp's ``web.run_app`` accepts every connection the kernel hands it and,
with its defaults, lets an idle or half-sent one live for minutes: enough
slow clients exhaust the file descriptors, and then nobody (not even the
SQLite checkpoint) can open anything. Here:

- the idle / header timeout is aiohttp's keep-alive timer, which runs from
  the moment a connection opens until a request head is complete and again
  after each response (:func:`edge_handler_args`, applied by ``create_app``);
- past :attr:`Settings.http_max_connections` open connections a new one gets
  a one-line ``503`` and is closed at once (:class:`GuardedSite`), counted in
  ``certhub_http_edge_refusals_total{reason="connection_cap"}`` and logged
  (the log's flood guard keeps a storm of these to a few lines a minute);
- request bodies have their own deadline and cap (:mod:`certhub.hub.api.edge`).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import re
import signal
import struct
import termios
import time
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import ContentEncodingError, HttpProcessingError
from aiohttp.web_protocol import RequestHandler

from certhub.hub.api.edge import SERVER_NAME, undecoded_body_refusal
from certhub.hub.api.problems import render
from certhub.hub.core.keys import METRICS, SETTINGS
from certhub.hub.core.settings import Settings
from certhub.hub.problems import Problem
from certhub.hub.runtime.lifecycle import log_started, log_stopped
from certhub.hub.runtime.processes import more_processes
from certhub.hub.runtime.shutdown import StopWatchdog
from certhub.monitoring.metrics import HubMetrics

__all__ = [
    "DRAIN_SECONDS",
    "STOP_SECONDS",
    "GuardedSite",
    "edge_handler_args",
    "run_hub",
    "start_hub",
]

log = logging.getLogger(__name__)

STOP_SECONDS = 25.0  # asked to stop, a hub process is gone within this (an orchestrator's
# grace is commonly 30 s): its ingress processes' grace, then its own requests and cleanup
DRAIN_SECONDS = 5.0  # requests in flight at a stop may finish for this long, then are cancelled


def edge_handler_args(settings: Settings) -> dict[str, Any]:
    """aiohttp request-handler options for the edge's timeouts (``Application(handler_args=)``)."""
    return {"keepalive_timeout": settings.http_idle_timeout_seconds}


def _refusal_bytes() -> bytes:
    body = json.dumps(
        {
            "type": "urn:certhub:problem:overloaded",
            "title": "Hub overloaded; retry later",
            "status": 503,
            "detail": "too many open connections; retry after 1 s",
        }
    ).encode()
    head = (
        "HTTP/1.1 503 Service Unavailable\r\nServer: certhub\r\n"
        "Content-Type: application/problem+json\r\nRetry-After: 1\r\n"
        f"Connection: close\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("ascii") + body


_REFUSAL = _refusal_bytes()


class _Refusal(asyncio.Protocol):
    """A connection over the cap: one 503, then closed (never handed to aiohttp)."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Answer and close; the request, if any, is never read."""
        if isinstance(transport, asyncio.WriteTransport):  # always, for a TCP server
            transport.write(_REFUSAL)
        transport.close()


class _EdgeRequestHandler(RequestHandler):
    """aiohttp's per-connection handler, answering unparseable requests like the API does.

    A request aiohttp cannot parse never reaches the app: aiohttp answers it
    itself, as text, with its version in ``Server``, and logs a traceback at
    ERROR. A malformed request is the client's mistake: it gets a problem
    document (``malformed-request``), ``Server: certhub``, and one INFO line.

    An answer the client stops taking (a large evidence file, a receive window
    left shut) would hold its connection, and the answer in memory, for good:
    one whose unsent bytes do not shrink for ``stall_seconds`` is abandoned and
    its connection closed.
    """

    def __init__(self, *args: Any, stall_seconds: float, **kwargs: Any) -> None:
        """aiohttp's handler; an answer stalled for ``stall_seconds`` closes the connection."""
        super().__init__(*args, **kwargs)
        self._stall_seconds = stall_seconds
        self._send_watch: asyncio.TimerHandle | None = None

    async def finish_response(
        self, request: web.BaseRequest, resp: web.StreamResponse, start_time: float | None
    ) -> tuple[web.StreamResponse, bool]:
        """Send ``resp``, watching that the client keeps taking it (a timer, not a task:
        every answer passes here, and nearly all are sent at once)."""
        loop = asyncio.get_running_loop()
        self._send_watch = loop.call_later(self._stall_seconds, self._check_sending, None)
        try:
            return await super().finish_response(request, resp, start_time)
        finally:
            if self._send_watch is not None:
                self._send_watch.cancel()

    def _check_sending(self, unsent_before: int | None) -> None:
        """Abort the connection if the answer's unsent bytes did not shrink in a window."""
        transport = self.transport
        if transport is None:
            return
        unsent = _unsent(transport)
        # Nothing unsent (between writes) is no stall; a byte taken in the window is progress.
        if unsent_before is not None and unsent and unsent >= unsent_before:
            log.info("answer not taken for %g s: connection closed", self._stall_seconds)
            # abort, not close: close would wait for the buffer to drain, i.e. for good;
            # the pending send then wakes with "Connection lost"
            transport.abort()
            return
        loop = asyncio.get_running_loop()
        self._send_watch = loop.call_later(self._stall_seconds, self._check_sending, unsent)

    def handle_error(
        self,
        request: web.BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        """The answer to a request that failed before or outside the app's middlewares."""
        response: web.StreamResponse
        if isinstance(exc, ContentEncodingError):  # a coding aiohttp names but cannot decode
            log.info("request body in an undecoded coding refused: %s", exc.message)
            # the parser's stand-in request has no headers and path "/": the coding is the
            # parenthesised name in the parser's message ("brotli (br)", "zstandard (zstd)")
            named = re.search(r"\((\w+)\)", str(exc.message))
            coding = named.group(1) if named else request.headers.get("Content-Encoding", "")
            response = undecoded_body_refusal(coding)
        elif isinstance(exc, HttpProcessingError) and 400 <= status < 500:
            log.info("malformed HTTP request refused: %s (%d)", type(exc).__name__, status)
            detail = f"the request is not valid HTTP/1.1 ({type(exc).__name__})"
            response = render(Problem("malformed-request", detail))
            response.force_close()
        else:
            response = super().handle_error(request, status, exc, message)
        response.headers["Server"] = SERVER_NAME
        return response


def _unsent(transport: asyncio.Transport) -> int:
    """Bytes of the answer the client has not taken: the transport's buffer and, where the
    system tells (Linux's ``TIOCOUTQ``), the socket's send queue, which a slow but reading
    client empties long before the transport's buffer moves."""
    queued = 0
    sock = transport.get_extra_info("socket")
    if sock is not None and hasattr(termios, "TIOCOUTQ"):
        with contextlib.suppress(OSError):
            answer = fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0" * 4)
            queued = struct.unpack("i", answer)[0]
    return transport.get_write_buffer_size() + queued


class GuardedSite(web.BaseSite):
    """A TCP site that refuses connections past a cap instead of accepting them all."""

    def __init__(
        self,
        runner: web.AppRunner,
        host: str,
        port: int,
        *,
        max_connections: int,
        metrics: HubMetrics,
        handler_args: Mapping[str, Any],
        reuse_port: bool = False,
    ) -> None:
        """Listen on ``host:port``; keep at most ``max_connections`` open.

        ``handler_args`` are the request-handler options the app was made with
        (:func:`edge_handler_args`): this site makes the handlers itself.
        ``reuse_port`` lets the deployment's other HTTP processes listen on the
        same port (``SO_REUSEPORT``: the kernel spreads new connections over them).
        """
        super().__init__(runner)
        self._host = host
        self._port = port
        self._reuse_port = reuse_port
        self._max_connections = max_connections
        self._metrics = metrics
        # No aiohttp access log: the routes log each request themselves, masked.
        self._handler_args: dict[str, Any] = {"access_log": None, **handler_args}
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def name(self) -> str:
        """The site's URL, as aiohttp's own sites name themselves."""
        return f"http://{self._host}:{self._port}"

    async def start(self) -> None:
        """Start listening."""
        await super().start()
        loop = self._loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            self._protocol,
            self._host,
            self._port,
            reuse_address=True,
            reuse_port=self._reuse_port or None,
            backlog=self._backlog,
        )

    @property
    def port(self) -> int:
        """The port listened on (the one the system chose, for port 0)."""
        sockets = self._server.sockets if isinstance(self._server, asyncio.Server) else ()
        return int(sockets[0].getsockname()[1]) if sockets else self._port

    def _protocol(self) -> asyncio.BaseProtocol:
        server = self._runner.server
        if server is None or self._loop is None:  # cleaned up under a connection being accepted
            return _Refusal()
        open_now = len(server.connections)
        if open_now >= self._max_connections:
            self._metrics.edge_refusals.labels(reason="connection_cap").inc()
            log.warning("cap reached: %d connections open; refusing a new one", open_now)
            return _Refusal()
        # The runner's server stays the manager: it tracks and, at shutdown, closes them.
        stall = float(self._handler_args.get("keepalive_timeout", 75.0))
        return _EdgeRequestHandler(
            server, loop=self._loop, stall_seconds=stall, **self._handler_args
        )


async def start_hub(
    app: web.Application, host: str, port: int, *, reuse_port: bool = False
) -> web.AppRunner:
    """Set ``app`` up and listen on ``host:port`` behind its connection cap; clean up the runner.

    ``reuse_port``: the port is shared with the deployment's other HTTP processes.
    Cancelled or failed part-way, what had started is closed again.
    """
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=DRAIN_SECONDS)
    try:
        await runner.setup()  # the app's start-up: a cancelled or failed one is closed below
        site = GuardedSite(
            runner,
            host,
            port,
            max_connections=app[SETTINGS].http_max_connections,
            metrics=app[METRICS],
            handler_args=edge_handler_args(app[SETTINGS]),
            reuse_port=reuse_port,
        )
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    return runner


def run_hub(
    app: web.Application,
    settings: Settings,
    *,
    share_port: bool = False,
    stop_also: Callable[[asyncio.Event], Coroutine[Any, Any, None]] | None = None,
    stop_within: float = STOP_SECONDS,
) -> None:
    """Serve ``app`` until SIGINT or SIGTERM (what ``web.run_app`` does, behind the cap).

    With ``settings.processes`` above 1 this process listens with
    ``SO_REUSEPORT`` and starts the other HTTP processes
    (:mod:`certhub.hub.runtime.processes`); ``share_port`` is how those
    listen. ``stop_also`` may set the stop event too (an ingress process
    stops when the process that started it is gone). A signal during
    start-up ends the start-up; once asked to stop, the process is gone
    within ``stop_within`` seconds (:class:`StopWatchdog`).
    """
    watchdog = StopWatchdog(stop_within)
    serving = _serve_until_signal(
        app, settings, share_port=share_port, stop_also=stop_also, watchdog=watchdog
    )
    try:
        asyncio.run(serving)
    finally:
        watchdog.disarm()


async def _serve_until_signal(
    app: web.Application,
    settings: Settings,
    *,
    share_port: bool,
    stop_also: Callable[[asyncio.Event], Coroutine[Any, Any, None]] | None,
    watchdog: StopWatchdog,
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    received: list[str] = []  # which signal stopped us, for the shutdown line
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, _on_signal, stop, received, watchdog, signum)
    sharing = share_port or settings.processes > 1
    began = time.monotonic()
    watchers = [asyncio.create_task(_arm_on_stop(stop, watchdog, received))]
    if stop_also is not None:
        watchers.append(asyncio.create_task(stop_also(stop)))
    try:
        runner = await _start_unless_stopped(app, settings, stop, reuse_port=sharing)
        if runner is None:
            log_stopped(began, f"{_reason(received)} while starting")
            return
        started = log_started(app, runner)
        try:
            # The other processes stop first: their writes still need this one.
            async with more_processes(app, runner, stop):
                await stop.wait()
        finally:
            watchdog.arm(_reason(received))  # an error ends serving too: bounded alike
            try:
                await runner.cleanup()
            finally:  # a cleanup that fails (the database gone) still ends the process
                log_stopped(started, _reason(received))
    finally:
        for watcher in watchers:
            watcher.cancel()


async def _arm_on_stop(stop: asyncio.Event, watchdog: StopWatchdog, received: list[str]) -> None:
    """Whoever sets ``stop`` (a signal, ``stop_also``), the stop from then on is bounded."""
    await stop.wait()
    watchdog.arm(_reason(received))


async def _start_unless_stopped(
    app: web.Application, settings: Settings, stop: asyncio.Event, *, reuse_port: bool
) -> web.AppRunner | None:
    """The started runner; None if ``stop`` was set first (the start-up is cancelled and closed).

    A process being started again (an ingress process after a crash) may be told
    to stop while it still opens pools and starts helpers: it need not finish.
    """
    starting = asyncio.create_task(
        start_hub(app, settings.host, settings.port, reuse_port=reuse_port), name="start-up"
    )
    stopping = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
    if starting.done():
        return starting.result()  # a failed start-up raises here
    starting.cancel()
    await asyncio.wait({starting})
    if not starting.cancelled():
        if starting.exception() is None:  # finished all the same
            await starting.result().cleanup()
        else:
            log.warning("start-up failed while stopping: %s", starting.exception())
    return None


def _reason(received: list[str]) -> str:
    return received[0] if received else "stop requested"


def _on_signal(
    stop: asyncio.Event, received: list[str], watchdog: StopWatchdog, signum: signal.Signals
) -> None:
    received.append(signum.name)
    watchdog.arm(signum.name)  # at once: the loop may be too busy to run _arm_on_stop soon
    stop.set()
