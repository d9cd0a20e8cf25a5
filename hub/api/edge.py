"""The HTTP edge per request: how long a body may take, how many may be pending.

Nobody is authenticated before a request's body has arrived (a push is
proved by the signature inside it), so slow bodies are anonymous load. They
get their own cap (:attr:`Settings.http_max_pending_bodies`, 429 beyond it)
and a deadline (:attr:`Settings.http_body_timeout_seconds`, 408 and the
connection closed), and never count toward the messages in flight.

A body is read decoded only in the content codings aiohttp decodes; one in any other
coding is refused before it is read (415, with ``Accept-Encoding`` naming those it takes,
RFC 9110 §15.5.16), rather than read as it came and refused later as a JWS, JSON or image
that it is not, or stored in a coding nobody recorded.

Connections themselves (how many, how long idle) are bounded where they are
accepted: :mod:`certhub.hub.runtime.serving`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import cast

from aiohttp import web
from aiohttp.compression_utils import HAS_BROTLI, HAS_ZSTD

from certhub.hub.api.problems import render
from certhub.hub.core.keys import EDGE, METRICS, SETTINGS
from certhub.hub.problems import Problem

__all__ = [
    "BodyTimeout",
    "EdgeLimits",
    "edge_middleware",
    "server_header",
    "undecoded_body_refusal",
]

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

SERVER_NAME = "certhub"
"""The ``Server`` header: no framework or language versions for a scanner to match."""

DECODED_CODINGS = tuple(
    name
    for name, decoded in (("gzip", True), ("deflate", True), ("br", HAS_BROTLI), ("zstd", HAS_ZSTD))
    if decoded
)
"""The request content codings aiohttp decodes as a handler reads the body (one, not a list)."""


class BodyTimeout(Exception):
    """The request body did not arrive within the body deadline."""


class EdgeLimits:
    """Requests whose body is still arriving, counted against their cap."""

    def __init__(self, *, max_pending: int, body_timeout: float) -> None:
        """Allow ``max_pending`` such requests, each ``body_timeout`` seconds for its body."""
        self.max_pending = max_pending
        self.body_timeout = body_timeout
        self.pending = 0


@web.middleware
async def edge_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Cap and time requests whose body has not fully arrived when the handler starts;
    refuse a body in a content coding that is not decoded."""
    coding = request.headers.get("Content-Encoding")
    if coding is not None and _reads_body(request) and not _decoded(coding):
        return undecoded_body_refusal(coding, instance=request.path)
    if request.content.is_eof():  # no body, or all of it already here
        return await handler(request)
    limits = request.app[EDGE]
    if limits.pending >= limits.max_pending:
        request.app[METRICS].edge_refusals.labels(reason="pending_bodies").inc()
        log.warning("cap reached: %d request bodies pending; refusing another", limits.pending)
        busy = Problem(
            "overloaded",
            f"the hub is receiving {limits.pending} request bodies already; retry after 1 s",
            headers={"Retry-After": "1"},
        )
        refusal = render(busy, instance=request.path)  # outside the problem middleware
        refusal.force_close()  # the unread body is not drained
        return refusal
    limits.pending += 1
    expired: list[bool] = []
    timer = asyncio.get_running_loop().call_later(
        limits.body_timeout, _expire_body, request, expired
    )
    try:
        response = await handler(request)
    finally:
        timer.cancel()
        limits.pending -= 1
    # A body that does not decode (its Content-Encoding) cannot be read to its end either.
    if expired or isinstance(request.content.exception(), web.RequestPayloadError):
        await _answer_and_close(request, response)
    return response


def _reads_body(request: web.Request) -> bool:
    """Whether ``request`` has a body a route reads: a GET's or a DELETE's is never read."""
    return request.method in ("POST", "PUT", "PATCH") and request.body_exists


def _decoded(coding: str) -> bool:
    """Whether a body in ``coding`` (a Content-Encoding value) is read decoded: exactly as
    aiohttp's parser tells (an ASCII name, any case, nothing around it), or not coded."""
    name = coding.lower() if coding.isascii() else coding
    return name in DECODED_CODINGS or name in ("", "identity")


def undecoded_body_refusal(coding: str, *, instance: str | None = None) -> web.Response:
    """415 for a body in a coding the hub does not decode, the connection to be closed
    (the body is never read). Also the answer when aiohttp's parser itself refuses a
    coding it names but cannot decode (``br`` without Brotli)."""
    named = f"Content-Encoding {coding[:40]!r}" if coding else "that Content-Encoding"
    detail = (
        f"a body in {named} is not decoded: send it in one of"
        f" {', '.join(DECODED_CODINGS)}, or as it is"
    )
    accepted = {"Accept-Encoding": ", ".join((*DECODED_CODINGS, "identity"))}
    refusal = render(Problem("unsupported-media-type", detail, headers=accepted), instance=instance)
    refusal.force_close()  # the unread body is not drained
    return refusal


def _expire_body(request: web.Request, expired: list[bool]) -> None:
    """Wake the handler's pending read with :class:`BodyTimeout` if the body is still open."""
    if request.content.is_eof():
        return
    expired.append(True)
    request.app[METRICS].edge_refusals.labels(reason="body_timeout").inc()
    seconds = request.app[SETTINGS].http_body_timeout_seconds
    log.warning(
        "body timeout: %s %s still incomplete after %g s", request.method, request.path, seconds
    )
    request.content.set_exception(BodyTimeout(f"the request body took longer than {seconds:g} s"))


async def _answer_and_close(request: web.Request, response: web.StreamResponse) -> None:
    """Send the answer now and close: the rest of a timed-out or undecodable body is never read.

    Without this aiohttp would linger to drain the body and meet the body's
    error again, logging it as unhandled.
    """
    if isinstance(response, web.Response):
        response.force_close()
        await response.prepare(request)
        await response.write_eof()
    request.protocol.force_close()


async def server_header(request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare``: name the service, not the software versions behind it.

    Also the one place aiohttp's own ``417`` passes: an ``Expect`` other than
    ``100-continue`` is refused before any middleware, in plain text; it becomes
    the problem document (``expectation-failed``) every other refusal is.
    """
    response.headers["Server"] = SERVER_NAME
    if isinstance(response, web.HTTPExpectationFailed):
        detail = f"the hub meets no Expect but 100-continue, not {request.headers.get('Expect')!r}"
        problem = render(Problem("expectation-failed", detail), instance=request.path)
        response.content_type = problem.content_type
        response.charset = problem.charset
        body = cast(bytes, problem.body)  # render() writes the document as bytes
        response.body = body
        # aiohttp set Content-Length for its own text: a stale one desyncs a kept-alive connection
        response.headers["Content-Length"] = str(len(body))
