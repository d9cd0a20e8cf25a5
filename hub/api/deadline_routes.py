"""Deadlines over HTTP: which open verification tasks and which reports under review are due,
which are overdue."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from certhub.hub.api.auth import require_reader
from certhub.hub.api.params import (
    KEY_CURSOR,
    NUMBER_CURSOR,
    after_param,
    choice_param,
    page,
    region_param,
)
from certhub.hub.api.pull_routes import page_limit
from certhub.hub.api.signer_revocation import revoked_keys, revoked_signers, revoked_sources_of
from certhub.hub.core.keys import SETTINGS, STORE, TRUST
from certhub.hub.procedure.report_deadlines import ReportDeadlines
from certhub.hub.store import DeadlineRow, PageQuery
from certhub.hub.store.base import ReportDeadlineRow

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
    revoked = revoked_keys(request.app[TRUST].store)
    told = await revoked_sources_of(request.app[STORE], [r.task_id for r in rows[:limit]], revoked)

    def shown(row: DeadlineRow) -> dict[str, Any]:
        sources = told.get(row.task_id)
        return _deadline(row, now) | ({"revoked_sources": sources} if sources else {})

    return page(rows, limit, shown, lambda row: row.task_id, after)


@routes.get("/v1/report-deadlines")
async def list_report_deadlines(request: web.Request) -> web.Response:
    """Reports of loss of eligibility under review with their deadlines, by item;
    ``overdue=true`` for the late. Nothing here decides a report."""
    reader = require_reader(request)
    overdue = choice_param(request, "overdue", ("true", "false"), "false")
    region = region_param(request)
    after = after_param(request, NUMBER_CURSOR, "0")
    limit = page_limit(request)
    settings = request.app[SETTINGS]
    deadlines = ReportDeadlines(
        request.app[STORE],
        reminder_days=settings.task_reminder_days,
        review_days=settings.report_review_days,
    )
    now = datetime.now(UTC)
    rows = await request.app[STORE].list_report_deadlines(
        PageQuery(int(after), limit + 1, region, reader.area),
        filed_before=now - timedelta(days=deadlines.review_days) if overdue == "true" else None,
    )
    revoked = revoked_keys(request.app[TRUST].store)
    told = await revoked_signers(request.app[STORE], [r.item_id for r in rows[:limit]], revoked)

    def shown(row: ReportDeadlineRow) -> dict[str, Any]:
        item = _report_deadline(row, deadlines.due_at(row), now.timestamp())
        signer = told.get(row.item_id)
        return item | ({"signing_key_revoked": signer} if signer else {})

    return page(rows, limit, shown, lambda row: row.item_id, after)


def _report_deadline(row: ReportDeadlineRow, due: datetime, now: float) -> dict[str, Any]:
    return {
        "item_id": row.item_id,
        "reason": row.reason,
        "status": row.status,
        "county": row.county,
        "village": row.village,
        "filed_at": datetime.fromisoformat(row.filed_at).isoformat(),
        **_times(due.timestamp(), now),
        "reminded_at": _iso(row.reminded_at),
        "escalated_at": _iso(row.escalated_at),
    }


def _times(due_at: float, now: float) -> dict[str, Any]:
    """A deadline's due moment, whether it has passed at ``now``, and by how many whole days."""
    return {
        "due_at": _iso(due_at),
        "overdue": now > due_at,
        "days_overdue": max(0, int((now - due_at) // 86400)),
    }


def _deadline(row: DeadlineRow, now: float) -> dict[str, Any]:
    return {
        "task_id": row.task_id,
        "kind": row.kind,
        "county": row.county,
        "village": row.village,
        "opened_at": _iso(row.opened_at),
        **_times(row.due_at, now),
        "reminded_at": _iso(row.reminded_at),
        "escalated_at": _iso(row.escalated_at),
    }


def _iso(moment: float | None) -> str | None:
    return None if moment is None else datetime.fromtimestamp(moment, UTC).isoformat()
