"""Query parameters the list endpoints share: a region prefix, a cursor by key, one page.

Each checks its parameter strictly and refuses it with ``invalid-parameter``
(RFC 9457) naming the parameter, so every list answers bad input alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, Final, TypeVar

from aiohttp import web

from certhub.hub.api.openapi import openapi_document
from certhub.hub.problems import Problem

T = TypeVar("T")

_REGION: Final = re.compile(r"[0-9]{6,12}")
KEY_CURSOR: Final = re.compile(r"[A-Za-z0-9_.:-]{1,128}")
"""A cursor that is the last key of the previous page (a task id)."""
NUMBER_CURSOR: Final = re.compile(r"[0-9]{1,18}")
"""A cursor that is the last ledger sequence of the previous page."""


def refuse_repeated(request: web.Request) -> None:
    """Refuse a query parameter the route documents given more than once.

    Which of two values counts is each parser's guess (aiohttp takes the first,
    a proxy or a log reader in front may take the last), so neither is read.
    Names the route does not document are left alone, as before.

    Raises:
        Problem: ``invalid-parameter`` naming the parameter.
    """
    query = request.query
    if len(query) < 2 or len(query) == len(set(query)):  # the usual, fast answer
        return
    resource = request.match_info.route.resource
    path = resource.canonical if resource is not None else ""
    documented = _documented_query(request.method, path)
    for name in dict.fromkeys(query):
        if name in documented and len(query.getall(name)) > 1:
            raise Problem(
                "invalid-parameter",
                f"{name} is given more than once",
                extensions={"parameter": name},
            )


@cache
def _documented_query(method: str, path: str) -> frozenset[str]:
    """The query parameters ``/openapi.json`` names for ``method`` on ``path``."""
    verb = "get" if method == "HEAD" else method.lower()
    operation = openapi_document()["paths"].get(path, {}).get(verb, {})
    return frozenset(p["name"] for p in operation.get("parameters", ()) if p["in"] == "query")


def region_param(request: web.Request) -> str | None:
    """``?region=``: a 6- to 12-digit region code prefix, or None."""
    region = request.query.get("region")
    if region is not None and not _REGION.fullmatch(region):
        raise Problem(
            "invalid-parameter",
            "region must be a 6- to 12-digit region code",
            extensions={"parameter": "region"},
        )
    return region


def choice_param(request: web.Request, name: str, choices: Sequence[str], default: str) -> str:
    """``?name=`` as one of ``choices`` (``default`` when absent)."""
    value = request.query.get(name, default)
    if value not in choices:
        raise Problem(
            "invalid-parameter",
            f"{name} must be one of {', '.join(choices)}",
            extensions={"parameter": name},
        )
    return value


def after_param(request: web.Request, pattern: re.Pattern[str], default: str = "") -> str:
    """``?after=``: a previous page's cursor (:data:`KEY_CURSOR` or :data:`NUMBER_CURSOR`)."""
    after = request.query.get("after", default)
    if after != default and not pattern.fullmatch(after):
        raise Problem(
            "invalid-parameter",
            "after must be the next_cursor of a previous page",
            extensions={"parameter": "after"},
        )
    return after


def page(
    rows: Sequence[T], limit: int, item: Callable[[T], Any], key: Callable[[T], object], after: str
) -> web.Response:
    """One page of ``rows`` (fetched ``limit + 1`` to know whether more follow), not cached."""
    shown = rows[:limit]
    body = {
        "items": [item(row) for row in shown],
        "next_cursor": str(key(shown[-1])) if shown else after,
        "has_more": len(rows) > limit,
    }
    return web.json_response(body, headers={"Cache-Control": "no-store"})
