"""The server span of each HTTP request, when tracing is on (:mod:`certhub.monitoring.tracing`).

Named by method and route template (``POST /v1/reports``), with the sizes of
the request and the answer, the status, and, for a read of personal data, the
reader. The ingress pipeline and the ledger writes it causes are its children.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from certhub.hub.core.keys import READER
from certhub.monitoring.tracing import set_attributes, span, tracing_on

__all__ = ["trace_requests"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def trace_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Wrap the request in a server span (nothing at all when tracing is off)."""
    if not tracing_on():
        return await handler(request)
    resource = request.match_info.route.resource
    route = resource.canonical if resource is not None else request.path
    attributes = {
        "http.request.method": request.method,
        "http.route": route,
        "http.request.body.size": request.content_length,
    }
    with span(f"{request.method} {route}", attributes, server=True) as current:
        response = await handler(request)
        reader = request.get(READER)
        body = response.body if isinstance(response, web.Response) else None
        set_attributes(
            current,
            {
                "http.response.status_code": response.status,
                "http.response.body.size": len(body) if isinstance(body, bytes) else None,
                "certhub.reader": reader.sender if reader is not None else None,
            },
        )
        return response
