"""Middlewares: every failure becomes a problem document; a request's status however it ended.

Every request is timed by :func:`certhub.hub.api.observe.observe_requests`.

A client that goes away mid-request is not a server failure: it is neither
logged as an error nor counted as a 5xx (it is counted as a client
disconnect, status class ``4xx`` like nginx's 499).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from certhub.hub.api.edge import BodyTimeout
from certhub.hub.api.params import refuse_repeated
from certhub.hub.api.problems import render
from certhub.hub.problems import Problem, problem_for

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

CLIENT_CLOSED = 499
"""Status recorded for a request whose client went away (nginx's convention)."""

# aiohttp's own refusals, mapped onto our catalogue.
_HTTP_STATUS_SLUGS = {
    404: "not-found",
    405: "method-not-allowed",
    413: "body-too-large",
    415: "unsupported-media-type",
}


@web.middleware
async def problem_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Render every refusal and every unexpected error as RFC 9457 JSON."""
    try:
        refuse_repeated(request)  # before anything reads the query
        return await handler(request)
    except web.HTTPException as exc:
        slug = _HTTP_STATUS_SLUGS.get(exc.status)
        if slug is None or exc.status < 400:
            raise
        allow = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else {}
        return render(Problem(slug, exc.reason, headers=allow), instance=request.path)
    except Exception as exc:  # every failure must become a problem document
        if client_gone(request, exc):
            # Nobody is left to answer; raising would make aiohttp log a 500.
            return web.Response(status=CLIENT_CLOSED, reason="Client Closed Request")
        return render(_as_problem(exc, request), instance=request.path)


def client_gone(request: web.Request, exc: BaseException) -> bool:
    """Whether ``exc`` only says that the client went away mid-request."""
    transport = request.transport
    closed = transport is None or transport.is_closing()
    # aiohttp wakes a pending body read with ConnectionResetError("Connection lost").
    return closed and isinstance(exc, ConnectionError)


def _as_problem(exc: Exception, request: web.Request) -> Problem:
    """The problem document for a failure raised by a handler."""
    if isinstance(exc, BodyTimeout):
        return Problem("body-timeout", str(exc))  # the edge closes the connection
    if isinstance(exc, web.RequestPayloadError):  # the client's bytes, not the hub's failure
        log.info("undecodable request body refused: %s", exc)
        detail = "the request body does not decode as its Content-Encoding says"
        return Problem("malformed-request", detail)  # the edge closes the connection
    return problem_for(exc, where=f"{request.method} {request.path}")


async def answer_observed(
    request: web.Request, handler: Handler, observe: Callable[[int], None]
) -> web.StreamResponse:
    """``handler``'s answer to ``request``, then ``observe`` called with its status however
    it ended: the response's, an HTTP exception's, :data:`CLIENT_CLOSED` when cancelled,
    else 500 (an exception the problem middleware outside turns into a problem document)."""
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    except asyncio.CancelledError:  # the connection was dropped with handler cancellation on
        status = CLIENT_CLOSED
        raise
    finally:
        observe(status)
