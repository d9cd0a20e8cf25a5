"""Bearer-token authentication for reads of personal data, and the reader's area.

Every read endpoint starts with :func:`require_reader`; the :class:`Reader` it
returns carries the area the reader may read (``reader.area``, ``None`` for
the whole province). Lists filter by it in SQL with
:func:`certhub.security.area_condition`; a one-record read checks the record
with :func:`require_in_area`, which answers a record outside the area exactly
like a missing one (404), so a reader learns nothing of what it may not see.
"""

from __future__ import annotations

from aiohttp import web

from certhub.hub.core.keys import READER, REFUSED_READER, TRUST
from certhub.hub.problems import Problem
from certhub.security import NotAuthorized, Reader, TokenKeyExpired, TokenKeyRevoked, in_area

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
    tokens = request.app[TRUST].tokens
    try:
        reader: Reader = tokens.verify(token)
    except (NotAuthorized, TokenKeyRevoked, TokenKeyExpired):
        # A trusted key's own token, refused: the access log names who tried.
        holder = tokens.signer(token)
        if holder is not None:
            request[REFUSED_READER] = holder
        raise
    request[READER] = reader  # the access log names who read (hub/api/access_log.py)
    return reader


def require_in_area(
    reader: Reader,
    county: str | None,
    village: str | None,
    *,
    slug: str = "not-found",
    detail: str = "no such record",
) -> None:
    """Refuse a record of this county/village outside the reader's area as not found.

    Args:
        reader: who asks (:func:`require_reader`).
        county: the record's 6-digit county code (``None`` if it has none).
        village: the record's 12-digit village code (``None`` if it has none).
        slug: the 404 slug the endpoint uses for a record that does not exist.
        detail: that 404's detail, word for word, so the two answers are alike.

    Raises:
        Problem: ``slug`` when the record is outside ``reader.area``.
    """
    if not in_area(reader.area, county, village):
        raise Problem(slug, detail)
