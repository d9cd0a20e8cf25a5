"""Service evaluation over HTTP: the SMS link's page, channel apps' ratings, follow-ups.

The SMS link (``/rate/{link}``) is a plain HTML form — no script, no login,
large type — that posts back to itself; the link is the deployment's signed
reference to one service event (made by :func:`rating_link`). Channel apps
post signed ``service_rating/v1`` messages; town staff post signed
``rating_followup/v1`` steps; readers list ratings and open follow-ups.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from functools import partial
from typing import Any

from aiohttp import web

from certhub.hub.api.auth import require_in_area, require_reader
from certhub.hub.api.cursor import CursorCodec
from certhub.hub.api.ingress_routes import push_one
from certhub.hub.api.params import NUMBER_CURSOR, after_param, choice_param, page
from certhub.hub.api.pull_routes import page_limit
from certhub.hub.core.keys import CURSORS, PROCEDURE, STORE
from certhub.hub.problems import Problem
from certhub.hub.procedure.ratings import plan_channel_rating, plan_follow_up, record_link_rating
from certhub.hub.store import RatingRow, RecordKind
from certhub.schemas import RatingFollowUp, Refusal, ServiceRating

routes = web.RouteTableDef()

LINK_KIND = "rating"
_LINK = r"[A-Za-z0-9_.-]{1,300}"
_CSP = (
    "default-src 'none'; style-src 'self'; form-action 'self'; base-uri 'none';"
    " frame-ancestors 'none'"
)
_HEADERS = {
    "Content-Security-Policy": _CSP,
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
_SCORES = {5: "非常满意", 4: "满意", 3: "一般", 2: "不满意", 1: "非常不满意"}
_SCORE_VALUES = frozenset(str(score) for score in _SCORES)  # as the form's radios send them
_CSS = """body{font:22px/1.6 "Noto Sans CJK SC",sans-serif;margin:0 auto;max-width:34em;
padding:1em;color:#111;background:#fff}h1{font-size:1.4em}label{display:block;
padding:.6em;margin:.4em 0;border:2px solid #333;border-radius:.4em}input[type=radio]{
transform:scale(1.6);margin-right:.8em}textarea,select{font:inherit;width:100%}
button{font:inherit;width:100%;padding:.8em;margin-top:1em;background:#0b5394;color:#fff;
border:0;border-radius:.4em}
"""


def rating_link(cursors: CursorCodec, base_url: str, service_record: int) -> str:
    """The link an SMS carries to rate the service recorded at ``service_record``."""
    return f"{base_url.rstrip('/')}/rate/{cursors.encode(LINK_KIND, service_record)}"


@routes.get("/rate.css")
async def rating_style(_request: web.Request) -> web.Response:
    """The rating page's style sheet (large type, high contrast)."""
    return web.Response(
        text=_CSS, content_type="text/css", headers={"Cache-Control": "max-age=86400"}
    )


@routes.get(f"/rate/{{link:{_LINK}}}")
async def rating_page(request: web.Request) -> web.Response:
    """The form a pensioner opens from the SMS: a score, who rates, an optional comment."""
    _service(request)
    options = "".join(
        f'<label><input type="radio" name="score" value="{n}" required>{text}</label>'
        for n, text in _SCORES.items()
    )
    body = (
        '<h1>请为本次服务评价</h1><form method="post">'
        f"<fieldset><legend>您的评价</legend>{options}</fieldset>"
        '<label for="rater">评价人</label><select id="rater" name="rater">'
        '<option value="pensioner">本人</option><option value="family">家属</option></select>'
        '<label for="comment">意见（可不填）</label>'
        '<textarea id="comment" name="comment" maxlength="500" rows="3"></textarea>'
        '<button type="submit">提交评价</button></form>'
    )
    return _page("服务评价", body)


@routes.post(f"/rate/{{link:{_LINK}}}")
async def rate_by_link(request: web.Request) -> web.Response:
    """Record the form's rating, once per service; answer with a page saying so."""
    service = _service(request)
    form = await request.post()
    score, rater = form.get("score", ""), form.get("rater", "pensioner")
    comment = form.get("comment", "")
    try:
        # The page's form sends text: a file part (multipart) or a score in other digits
        # ("５", "+5") is no answer of it, and would be kept as its repr or read as 5.
        if not all(isinstance(field, str) for field in (score, rater, comment)):
            raise ValueError("a form field is a file")
        if score not in _SCORE_VALUES:
            raise ValueError("the score is not 1 to 5")
        rating = ServiceRating(
            service_record=service,
            score=int(score),
            rater=str(rater),
            comment=str(comment).strip() or None,
            rated_at=datetime.now(UTC),
        )
    except ValueError as exc:  # pydantic's ValidationError is one
        raise Problem("rating-invalid", "choose a score from 1 to 5") from exc
    try:
        await record_link_rating(request.app[PROCEDURE], rating, datetime.now(UTC))
    except Refusal as exc:
        if exc.slug != "rating-exists":
            raise
        return _page("已评价", "<h1>您已评价过本次服务</h1><p>感谢您的参与。</p>", status=409)
    follow = "<p>我们会尽快与您联系。</p>" if rating.score < 3 else ""
    return _page("谢谢", f"<h1>感谢您的评价</h1>{follow}", status=201)


@routes.post("/v1/service-ratings")
async def post_channel_rating(request: web.Request) -> web.Response:
    """A channel app's signed rating of a service that came through it."""
    plan = partial(plan_channel_rating, request.app[PROCEDURE])
    return await push_one(request, RecordKind.RATING, ServiceRating, plan)


@routes.post(r"/v1/service-ratings/{rating_id:[0-9]{1,18}}/follow-ups")
async def post_follow_up(request: web.Request) -> web.Response:
    """A signed step of a bad rating's follow-up: call-back, visit, rectified."""
    rating_id = int(request.match_info["rating_id"])
    plan = partial(plan_follow_up, request.app[PROCEDURE], rating_id)
    return await push_one(request, RecordKind.RATING, RatingFollowUp, plan)


@routes.get("/v1/service-ratings")
async def list_ratings(request: web.Request) -> web.Response:
    """Ratings by record (``follow_up=open``: bad ratings not yet put right), in the area."""
    reader = require_reader(request)
    follow_up = choice_param(request, "follow_up", ("all", "open"), "all")
    after = after_param(request, NUMBER_CURSOR, "0")
    limit = page_limit(request)
    rows = await request.app[STORE].list_ratings(
        open_follow_ups=follow_up == "open", after=int(after), limit=limit + 1, area=reader.area
    )
    return page(rows, limit, _rating, lambda row: row.rating, after)


@routes.get(r"/v1/service-ratings/{rating_id:[0-9]{1,18}}")
async def get_rating(request: web.Request) -> web.Response:
    """One rating with its follow-up."""
    reader = require_reader(request)
    row = await request.app[STORE].get_rating(int(request.match_info["rating_id"]))
    if row is None:
        raise Problem("rating-not-found", "no such rating")
    require_in_area(
        reader, row.area[:6], row.area, slug="rating-not-found", detail="no such rating"
    )
    return web.json_response(_rating(row), headers={"Cache-Control": "no-store"})


def _service(request: web.Request) -> int:
    try:
        return request.app[CURSORS].decode(request.match_info["link"], LINK_KIND)
    except Problem as exc:
        raise Problem("rating-link-invalid", "this rating link is not valid") from exc


def _page(title: str, body: str, status: int = 200) -> web.Response:
    document = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<title>{html.escape(title)}</title><link rel="stylesheet" href="/rate.css"></head>'
        f"<body><main>{body}</main></body></html>"
    )
    return web.Response(text=document, content_type="text/html", status=status, headers=_HEADERS)


def _rating(row: RatingRow) -> dict[str, Any]:
    def iso(moment: float | None) -> str | None:
        return None if moment is None else datetime.fromtimestamp(moment, UTC).isoformat()

    follow_up = None
    if row.follow_up_due is not None:
        follow_up = {
            "due_at": iso(row.follow_up_due),
            "called_back_at": iso(row.called_back_at),
            "visited_at": iso(row.visited_at),
            "rectified_at": iso(row.rectified_at),
            "outcome": row.outcome,
        }
    return {
        "rating": row.rating,
        "service_record": row.service_record,
        "service_kind": row.service_kind,
        "score": row.score,
        "rater": row.rater,
        "via": row.via,
        "area": row.area,
        "rated_at": iso(row.rated_at),
        "follow_up": follow_up,
    }
