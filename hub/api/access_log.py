"""The access log of personal data: who read which page of which endpoint.

Every read of personal data authenticates with a read token
(:func:`certhub.hub.api.auth.require_reader`, which remembers the reader on
the request). :func:`log_read` writes one structured line per such request,
answered or refused, on the logger ``certhub.access`` (kept at INFO whatever
``CERTHUB_LOG_LEVEL`` says, so ops can route it to its own file): the
reader's sender id, key id, role and area, the route template and the path,
the page asked for (``after`` cursor, ``limit``), the client address
(:func:`~certhub.hub.api.client_address.client_address`: behind a trusted
proxy, the one it names), the status and the correlation id. The page's
content is never logged, and the JSON formatter masks any ID number that a
path or cursor might carry. It is called by
:func:`certhub.hub.api.observe.observe_requests` with the status the caller
got (the problem middleware's answers too).
"""

from __future__ import annotations

import logging

from aiohttp import web

from certhub.hub.api.client_address import client_address
from certhub.hub.core.keys import READER, REFUSED_READER
from certhub.security import Reader, TrustedKey

__all__ = ["ACCESS_LOGGER", "log_read"]

ACCESS_LOGGER = "certhub.access"
log = logging.getLogger(ACCESS_LOGGER)


def log_read(request: web.Request, status: int) -> None:
    """The access-log line of ``request`` answered ``status``, if it read personal data."""
    reader: Reader | TrustedKey | None = request.get(READER) or request.get(REFUSED_READER)
    if reader is None:  # no token, or one no trusted key signed: nobody to name
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
            "client": client_address(request),
            "method": request.method,
            "route": resource.canonical if resource is not None else request.path,
            "path": request.path,
            "after": request.query.get("after", "")[:200],
            "limit": request.query.get("limit", ""),
            "status": status,
        },
    )
