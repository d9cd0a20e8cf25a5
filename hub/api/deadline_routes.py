"""Deadlines of verification tasks over HTTP: which open tasks are due, which are overdue."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from certhub.hub.api.auth import require_reader
from certhub.hub.api.pull_routes import page_limit
from certhub.hub.core.keys import STORE
from certhub.hub.problems import Problem
from certhub.hub.store import DeadlineRow

routes = web.RouteTableDef()

_REGION = re.compile(r"^[0-9]{6,12}$")
_TASK_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")


@routes.get("/v1/task-deadlines")
async def list_deadlines(request: web.Request) -> web.Response:
    """Open verification tasks with their deadlines, by task id; ``overdue=true`` for the late."""
    reader = require_reader(request)
    overdue = request.query.get("overdue", "false")
    if overdue not in ("true", "false"):
        raise Problem("invalid-parameter", "overdue must be true or false")
    region = request.query.get("region")
    if region is not None and not _REGION.fullmatch(region):
        raise Problem("invalid-parameter", "region must be a 6- to 12-digit region code")
    after = request.query.get("after", "")
    if after and not _TASK_ID.fullmatch(after):
        raise Problem("invalid-parameter", "after must be a task id from a previous page")
    limit = page_limit(request)
    now = time.time()
    rows = await request.app[STORE].list_deadlines(
        overdue_at=now if overdue == "true" else None,
        region=region,
        after=after,
        limit=limit + 1,
        area=reader.area,
    )
    page = rows[:limit]
    body = {
        "items": [_deadline(row, now) for row in page],
        "next_cursor": page[-1].task_id if page else after,
        "has_more": len(rows) > limit,
    }
    return web.json_response(body, headers={"Cache-Control": "no-store"})


def _deadline(row: DeadlineRow, now: float) -> dict[str, Any]:
    return {
        "task_id": row.task_id,
        "kind": row.kind,
        "county": row.county,
        "village": row.village,
        "opened_at": _iso(row.opened_at),
        "due_at": _iso(row.due_at),
        "overdue": now > row.due_at,
        "days_overdue": max(0, int((now - row.due_at) // 86400)),
        "reminded_at": _iso(row.reminded_at),
        "escalated_at": _iso(row.escalated_at),
    }


def _iso(moment: float | None) -> str | None:
    return None if moment is None else datetime.fromtimestamp(moment, UTC).isoformat()
