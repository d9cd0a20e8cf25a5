"""Deadlines of verification tasks over HTTP: which open tasks are due, which are overdue."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from certhub.hub.api.auth import require_reader
from certhub.hub.api.params import KEY_CURSOR, after_param, choice_param, page, region_param
from certhub.hub.api.pull_routes import page_limit
from certhub.hub.core.keys import STORE
from certhub.hub.store import DeadlineRow, PageQuery

routes = web.RouteTableDef()

@routes.get("/v1/task-deadlines")
async def list_deadlines(request: web.Request) -> web.Response:
    """Open verification tasks with their deadlines, by task id; ``overdue=true`` for the late."""
    reader = require_reader(request)
    overdue = choice_param(request, "overdue", ("true", "false"), "false")
    region = region_param(request)
    after = after_param(request, KEY_CURSOR)
    limit = page_limit(request)
    now = time.time()
    rows = await request.app[STORE].list_deadlines(
        PageQuery(after, limit + 1, region, reader.area),
        overdue_at=now if overdue == "true" else None,
    )
    return page(rows, limit, lambda row: _deadline(row, now), lambda row: row.task_id, after)


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
