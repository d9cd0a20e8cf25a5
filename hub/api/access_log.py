"""The access log of personal data: who read which page of which endpoint.

Every read of personal data authenticates with a read token
(:func:`certhub.hub.api.auth.require_reader`, which remembers the reader on
the request). This middleware writes one structured line per such request,
answered or refused, on the logger ``certhub.access`` (kept at INFO whatever
``CERTHUB_LOG_LEVEL`` says, so ops can route it to its own file): the
reader's sender id, key id, role and area, the route template and the path,
the page asked for (``after`` cursor, ``limit``), the status and the
correlation id. The page's content is never logged, and the JSON formatter
masks any ID number that a path or cursor might carry.
"""

from __future__ import annotations

import logging
from functools import partial

from aiohttp import web

from certhub.hub.api.middleware import Handler, answer_observed
from certhub.hub.core.keys import READER

__all__ = ["ACCESS_LOGGER", "pii_access_log"]

ACCESS_LOGGER = "certhub.access"
log = logging.getLogger(ACCESS_LOGGER)


@web.middleware
async def pii_access_log(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Log the read after the handler answered (inside the problem middleware's answer)."""
    return await answer_observed(request, handler, partial(_log_read, request))


def _log_read(request: web.Request, status: int) -> None:
    reader = request.get(READER)
    if reader is None:
        return
    resource = request.match_info.route.resource
    log.info(
        "personal data read",
        extra={
            "event": "pii_read",
            "reader": reader.sender,
            "reader_kid": reader.kid,
            "reader_role": reader.role,
            "reader_area": "province" if reader.area is None else reader.area.code,
            "method": request.method,
            "route": resource.canonical if resource is not None else request.path,
            "path": request.path,
            "after": request.query.get("after", "")[:200],
            "limit": request.query.get("limit", ""),
            "status": status,
        },
    )
