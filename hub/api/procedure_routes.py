"""The procedure over HTTP: decisions, task steps, the task list, compliance, statistics."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import partial
from typing import Any, Final

from aiohttp import web

from certhub.hub.api.auth import require_in_area, require_reader
from certhub.hub.api.ingress_routes import push_one
from certhub.hub.api.params import page, region_param
from certhub.hub.api.pull_routes import page_limit
from certhub.hub.api.restoration_proposal_routes import items_under_review
from certhub.hub.api.signer_revocation import revoked_keys, with_revoked_sources
from certhub.hub.core.keys import CURSORS, PROCEDURE, REPORTING_UNITS, SETTINGS, STORE, TRUST
from certhub.hub.problems import Problem
from certhub.hub.procedure.confined import confined_decision, confined_transition
from certhub.hub.rules.compliance import ReportingUnit, check_period, compliance, deadline
from certhub.hub.rules.decisions import ItemKind
from certhub.hub.store import PageQuery, RecordKind, TaskRow
from certhub.hub.store.queries import GROUPINGS
from certhub.schemas import Decision, TaskStatus, TaskTransition
from certhub.schemas.clock import shanghai_today
from certhub.security import in_area

routes = web.RouteTableDef()
# Every read here is of a village's people or counts small enough to name them: no cache
# (the browser's, a shared phone's, a township proxy's) may keep it.
_NO_STORE: Final = {"Cache-Control": "no-store"}
COLLECTIONS = {
    "reports": ItemKind.REPORT,
    "certifications": ItemKind.CERTIFICATION,
    "restorations": ItemKind.RESTORATION,
    "write-offs": ItemKind.WRITE_OFF,
    "suspension-proposals": ItemKind.SUSPENSION,
    "restoration-proposals": ItemKind.RESTORATION_PROPOSAL,
    "termination-amendments": ItemKind.TERMINATION_AMENDMENT,
}
TASK_CURSOR = "task"
AMENDMENT_CURSOR = "termination-amendment"


@routes.post(
    r"/v1/{collection:reports|certifications|restorations|write-offs|suspension-proposals"
    r"|restoration-proposals|termination-amendments}/{item_id}/decisions"
)
async def post_decision(request: web.Request) -> web.Response:
    """Accept (受理), approve or reject (审核) one item, by a signed decision."""
    kind = COLLECTIONS[request.match_info["collection"]]
    text = request.match_info["item_id"]
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise Problem("not-found", f"no item {text!r}")
    plan = partial(confined_decision, request.app[PROCEDURE], kind, int(text))
    return await push_one(request, RecordKind.DECISION, Decision, plan)


@routes.get("/v1/termination-amendments")
async def list_termination_amendments(request: web.Request) -> web.Response:
    """The hub's amendments of confirmed deaths (items under review) by review status and
    region prefix, oldest first; ``open`` (received or accepted) by default."""
    return await items_under_review(request, ItemKind.TERMINATION_AMENDMENT, AMENDMENT_CURSOR)


@routes.post("/v1/verification-tasks/{task_id}/transitions")
async def post_transition(request: web.Request) -> web.Response:
    """Move a verification task on by a signed step; confirmation disposes of the benefit."""
    task_id = request.match_info["task_id"]
    plan = partial(confined_transition, request.app[PROCEDURE], task_id)
    return await push_one(request, RecordKind.TASK_TRANSITION, TaskTransition, plan)


@routes.get("/v1/verification-tasks")
async def list_tasks(request: web.Request) -> web.Response:
    """The verification list (待核实名单), by status and region, oldest change first."""
    reader = require_reader(request)
    status = request.query.get("status")
    if status is not None and status not in TaskStatus.__members__:
        raise Problem("invalid-parameter", f"status must be one of {', '.join(TaskStatus)}")
    region = region_param(request)
    cursors = request.app[CURSORS]
    after = cursors.decode(request.query.get("after"), TASK_CURSOR)
    limit = page_limit(request)
    rows = await request.app[STORE].list_tasks(
        PageQuery(after, limit + 1, region, reader.area), status=status
    )
    encoded = partial(cursors.encode, TASK_CURSOR)
    revoked = revoked_keys(request.app[TRUST].store)
    shown = await with_revoked_sources(map(_task, rows[:limit]), request.app[STORE], revoked)
    # The row past ``limit`` was fetched only to tell whether more follow: it is not shown.
    paired: list[tuple[TaskRow, dict[str, Any]]] = [
        *zip(rows, shown, strict=False),
        *((row, {}) for row in rows[limit:]),
    ]
    shown_task, cursor = (lambda pair: pair[1]), (lambda pair: encoded(pair[0].changed_seq))
    return page(paired, limit, shown_task, cursor, encoded(after))


def _task(row: TaskRow) -> dict[str, Any]:
    """A verification task as the list and the single view show it: its snapshot and version."""
    task: dict[str, Any] = json.loads(row.snapshot)
    return task | {"version": row.version}


@routes.get("/v1/verification-tasks/{task_id}")
async def get_task(request: web.Request) -> web.Response:
    """One verification task's current state; a task outside the reader's area is not found."""
    reader = require_reader(request)
    row = await request.app[STORE].get_task(request.match_info["task_id"])
    if row is None:
        raise Problem("not-found", "no such verification task")
    task = _task(row)
    region = task["person"]["region"]
    detail = "no such verification task"
    require_in_area(reader, region["county"], region.get("village"), detail=detail)
    revoked = revoked_keys(request.app[TRUST].store)
    (task,) = await with_revoked_sources([task], request.app[STORE], revoked)
    return web.json_response(task, headers=_NO_STORE)


@routes.get("/v1/compliance")
async def get_compliance(request: web.Request) -> web.Response:
    """Which reporting units reported, zero-reported (late?) or are missing for a month."""
    reader = require_reader(request)
    period = _period(request)
    settings = request.app[SETTINGS]
    reported, zero = await request.app[STORE].compliance_inputs(period)
    due = deadline(period, settings.report_deadline_day)
    units: tuple[ReportingUnit, ...] = tuple(
        unit
        for unit in request.app[REPORTING_UNITS]
        if in_area(reader.area, unit.code[:6], unit.code if len(unit.code) > 6 else None)
    )
    rows = compliance(
        units,
        reported=reported,
        zero_reported=zero,
        due=due,
        now=datetime.now(UTC),
    )
    return web.json_response(
        {
            "period": period,
            "deadline": due.isoformat(),
            "units": [
                {
                    "code": r.unit.code,
                    "name": r.unit.name,
                    "status": r.status,
                    "late": r.late,
                    "overdue": r.overdue,
                }
                for r in rows
            ],
        },
        headers=_NO_STORE,
    )


@routes.get("/v1/stats")
async def get_stats(request: web.Request) -> web.Response:
    """Counts for a month grouped by city, county, reason or method (computed in SQL)."""
    reader = require_reader(request)
    period = _period(request)
    group_by = request.query.get("group_by", "city")
    if group_by not in GROUPINGS:
        raise Problem("invalid-parameter", f"group_by must be one of {', '.join(GROUPINGS)}")
    sections: dict[str, list[dict[str, Any]]] = {
        "reports": [],
        "certifications": [],
        "tasks": [],
        "overpayments": [],
    }
    for row in await request.app[STORE].stats(period, group_by, area=reader.area):
        entry: dict[str, Any] = {"key": row.key, "count": row.count}
        if row.section == "overpayments":
            entry["amount"] = f"{row.amount_cents / 100:.2f}"
        sections[row.section].append(entry)
    return web.json_response(
        {"period": period, "group_by": group_by, **sections}, headers=_NO_STORE
    )


def _period(request: web.Request) -> str:
    period = request.query.get("period", "")
    check_period(period, shanghai_today())
    return period
