"""Bearer-token authentication for reads of personal data."""

from __future__ import annotations

from aiohttp import web

from certhub.hub.core.keys import TRUST
from certhub.hub.problems import Problem
from certhub.security import Reader

_SCHEME = "bearer "


def require_reader(request: web.Request) -> Reader:
    """The reader a request's bearer token proves; refuse anonymous access."""
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith(_SCHEME) or not header[len(_SCHEME) :].strip():
        raise Problem(
            "authentication-required",
            "reading personal data needs a bearer token signed by a trusted key that may read",
            headers={"WWW-Authenticate": 'Bearer realm="certhub"'},
        )
    token = header[len(_SCHEME) :].strip()
    reader: Reader = request.app[TRUST].tokens.verify(token)
    return reader
