"""What every request is observed by, in one middleware layer.

The correlation id is bound for the request's logs and echoed in
``X-Request-ID`` (:mod:`certhub.hub.api.correlation`); inside it the
request's server span when tracing is on
(:mod:`certhub.hub.api.tracing_middleware`); inside that, once the answer is
known however it ended, its duration by route template, method and status
class, and for a read of personal data its access-log line
(:mod:`certhub.hub.api.access_log`).

These were four middlewares. Each layer costs every request two coroutines
(the middleware's and aiohttp's wrapper of it) and the observers each
their own ``answer_observed`` frame: on the push path, the hub's busiest,
one layer instead of four is measured in ``bench/README.md`` (Ingress,
2026-12-07). The order they run in is the order the four had.
"""

from __future__ import annotations

import time
from functools import partial

from aiohttp import web

from certhub.hub.api.access_log import log_read
from certhub.hub.api.correlation import RESPONSE_HEADER, request_correlation_id
from certhub.hub.api.middleware import CLIENT_CLOSED, Handler, answer_observed
from certhub.hub.api.tracing_middleware import trace_requests
from certhub.hub.core.keys import METRICS
from certhub.monitoring.logging import correlation_id
from certhub.monitoring.tracing import tracing_on

__all__ = ["observe_requests"]


@web.middleware
async def observe_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Bind and echo the correlation id; trace, time and (reads of personal data) log."""
    current = request_correlation_id(request.headers)
    token = correlation_id.set(current)
    started = time.perf_counter()

    def observe(status: int) -> None:
        metrics = request.app[METRICS]
        if status == CLIENT_CLOSED:
            metrics.client_disconnects.inc()
        resource = request.match_info.route.resource
        route = resource.canonical if resource is not None else "unmatched"
        metrics.observe_http(
            route, request.method, f"{status // 100}xx", time.perf_counter() - started
        )
        log_read(request, status)

    try:
        if tracing_on():  # the span around the observed answer, as its own middleware was
            traced = partial(answer_observed, handler=handler, observe=observe)
            response = await trace_requests(request, traced)
        else:
            response = await answer_observed(request, handler, observe)
    except web.HTTPException as exc:
        exc.headers[RESPONSE_HEADER] = current
        raise
    finally:
        correlation_id.reset(token)
    if not response.prepared:
        response.headers[RESPONSE_HEADER] = current
    return response
