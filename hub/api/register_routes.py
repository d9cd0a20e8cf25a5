"""The certification register's lists for readers (bearer read tokens), paged by cursor.

``GET /v1/register/{due,overdue,suspended,long-suspended,people}``: see
:mod:`certhub.hub.register.lists`; ``GET /v1/register/summary``: how many
people of an area are in each state (statistics count people, not events).
``?area=`` (a 6-, 9- or 12-digit region code) narrows a list; a reader whose
token is confined to an area reads only inside it (the two prefixes
intersect; disjoint ones give an empty page).
"""

from __future__ import annotations

from datetime import date, timedelta

from aiohttp import web

from certhub.hub.api.auth import require_reader
from certhub.hub.api.pull_routes import page_limit
from certhub.hub.core.keys import CURSORS, SETTINGS, STORE
from certhub.hub.problems import Problem
from certhub.hub.register.lists import ListRequest, entry, list_page
from certhub.hub.register.suspensions import liable_after
from certhub.hub.rules.months import month_index
from certhub.hub.rules.restoration import MUNICIPAL_AFTER_DAYS
from certhub.hub.store.register_reads import SUMMARY_FIELDS, RegisterList
from certhub.schemas import SCHEME_START
from certhub.schemas.clock import shanghai_today
from certhub.security import Reader
from certhub.security.scopes import AreaScope, parse_area

routes = web.RouteTableDef()

# A list's path is its name, hyphenated: /v1/register/long-suspended.
_PATHS = {kind.value.replace("_", "-"): kind for kind in RegisterList}
_EMPTY = "-"  # an area no reader can see: the page is empty


async def register_list(request: web.Request) -> web.Response:
    """One page of a register list (its name is the path's last part)."""
    reader = require_reader(request)
    kind = _PATHS[request.path.rsplit("/", 1)[-1]]
    area = _area(reader, request.query.get("area"))
    if kind is RegisterList.PEOPLE and area is None:
        raise _invalid("area", "the people list needs an area (a town or village code)")
    on = _day(request.query.get("on"))
    cursors = request.app[CURSORS]
    cursor_kind = f"register-{kind.value}"
    limit = page_limit(request)
    if area == _EMPTY:
        body = {"items": [], "next_cursor": cursors.encode(cursor_kind, 0), "has_more": False}
        return web.json_response(body, headers={"Cache-Control": "no-store"})
    ask = ListRequest(
        kind=kind,
        on=on,
        after=cursors.decode(request.query.get("after"), cursor_kind),
        limit=limit,
        area=area,
        within=_within(request.query.get("within")),
        name=_name(request.query.get("name")),
        id_ending=_id_ending(request.query.get("id_ending")),
    )
    rows, last, has_more = await list_page(request.app[STORE], ask)
    grace = request.app[SETTINGS].register_grace_months
    items = [entry(row, on, grace) for row in rows]
    # every list as the suspension sweep reads it: a clearance that moved the day shows in
    # the due and people lists too (before, only the overdue list's, a month early elsewhere)
    liable = await liable_after(request.app[STORE], rows, grace)
    for row, item in zip(rows, items, strict=True):
        if (day := liable.get(row.person_id)) is not None:  # None: held, the usual day
            item["liable_from"] = day.isoformat()
    body = {
        "list": kind.value,
        "on": on.isoformat(),
        "items": items,
        "next_cursor": cursors.encode(cursor_kind, last),
        "has_more": has_more,
    }
    return web.json_response(body, headers={"Cache-Control": "no-store"})


for _list_path in _PATHS:  # one plain path per list, as the OpenAPI document names them
    routes.get(f"/v1/register/{_list_path}")(register_list)


@routes.get("/v1/register/summary")
async def register_summary(request: web.Request) -> web.Response:
    """How many people of an area are in each state on a day; people certified in 12 months."""
    reader = require_reader(request)
    area = _area(reader, request.query.get("area"))
    on = _day(request.query.get("on"))
    store = request.app[STORE]
    month = month_index(on)
    before = (on - timedelta(days=MUNICIPAL_AFTER_DAYS)).isoformat()
    if area == _EMPTY:
        counts = dict.fromkeys((*SUMMARY_FIELDS, "people_certified", "certifications"), 0)
    else:
        counts = await store.register_summary(month, before, area)
    people, events = counts.pop("people_certified"), counts.pop("certifications")
    body = {
        "on": on.isoformat(),
        # disjoint from the reader's area: the asked one, counted as nothing
        "area": request.query.get("area") if area == _EMPTY else area,
        "people": counts,
        "last_12_months": {"people_certified": people, "certifications": events},
    }
    return web.json_response(body, headers={"Cache-Control": "no-store"})


def _area(reader: Reader, asked: str | None) -> str | None:
    """The prefix to read: the asked area inside the reader's own (None: the province)."""
    scope: AreaScope | None = reader.area
    if asked is None:
        return scope.prefix if scope else None
    try:
        wanted = parse_area(asked)
    except ValueError:
        raise _invalid("area", "area must be a Guangdong 6-, 9- or 12-digit region code") from None
    if scope is None or scope.contains(wanted):
        return wanted.prefix
    return scope.prefix if wanted.contains(scope) else _EMPTY


def _day(text: str | None) -> date:
    if text is None:
        return shanghai_today()
    try:
        if len(text) != 10:
            raise ValueError(text)
        day = date.fromisoformat(text)
    except ValueError:
        raise _invalid("on", "on must be a date YYYY-MM-DD") from None
    if day < SCHEME_START:  # before: year 1 overflowed the lists' day arithmetic (500)
        raise _invalid("on", f"on must be a day from {SCHEME_START}, when the scheme began")
    return day


def _within(text: str | None) -> int:
    if text is None:
        return 3
    if text not in ("1", "2", "3"):
        raise _invalid("within", "within must be 1, 2 or 3 (months, this one included)")
    return int(text)


def _name(text: str | None) -> str | None:
    if text is None:
        return None
    if not 1 <= len(text) <= 20 or not text.isprintable() or text.isspace():
        raise _invalid("name", "name must be 1 to 20 printable characters")
    return text


def _id_ending(text: str | None) -> str | None:
    if text is None:
        return None
    if not 4 <= len(text) <= 6 or not all(c in "0123456789X" for c in text):
        raise _invalid("id_ending", "id_ending must be the last 4 to 6 characters of an ID number")
    return text


def _invalid(parameter: str, detail: str) -> Problem:
    return Problem("invalid-parameter", detail, extensions={"parameter": parameter})
