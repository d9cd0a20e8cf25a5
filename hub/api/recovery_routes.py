"""Recovering overpayments over HTTP: sums recovered, write-off requests, the balances.

Decisions on a write-off request go through the common decision endpoint
(``POST /v1/write-offs/{item_id}/decisions``), like any other item.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from aiohttp import web

from certhub.hub.api.auth import require_in_area, require_reader
from certhub.hub.api.ingress_routes import push_one
from certhub.hub.api.params import KEY_CURSOR, after_param, choice_param, page, region_param
from certhub.hub.api.pull_routes import page_limit
from certhub.hub.core.keys import PROCEDURE, STORE
from certhub.hub.problems import Problem
from certhub.hub.procedure.confined import confined_on_overpayment
from certhub.hub.procedure.recovery import plan_recovery, plan_write_off_request
from certhub.hub.procedure.refunds import refunded_cents
from certhub.hub.rules.recovery import yuan
from certhub.hub.store import OverpaymentRow, PageQuery, RecordKind
from certhub.schemas import OverpaymentRecovery, RecoveryStatus, WriteOffRequest

routes = web.RouteTableDef()


@routes.post("/v1/overpayments/{task_id}/recoveries")
async def post_recovery(request: web.Request) -> web.Response:
    """Record one sum recovered against a task's overpayment (a signed ``recovery/v1``)."""
    ctx, task_id = request.app[PROCEDURE], _task_id(request)
    plan = partial(confined_on_overpayment, plan_recovery, ctx, task_id)
    return await push_one(request, RecordKind.RECOVERY, OverpaymentRecovery, plan)


@routes.post("/v1/overpayments/{task_id}/write-offs")
async def post_write_off(request: web.Request) -> web.Response:
    """Ask for what remains of a task's overpayment to be written off (two-level review)."""
    ctx, task_id = request.app[PROCEDURE], _task_id(request)
    plan = partial(confined_on_overpayment, plan_write_off_request, ctx, task_id)
    return await push_one(request, RecordKind.RECOVERY, WriteOffRequest, plan)


@routes.get("/v1/overpayments")
async def list_overpayments(request: web.Request) -> web.Response:
    """Overpayments by task id, optionally by recovery status and region, by cursor."""
    reader = require_reader(request)
    status = request.query.get("status")
    if status is not None:
        choice_param(request, "status", tuple(RecoveryStatus), "")
    region = region_param(request)
    after = after_param(request, KEY_CURSOR)
    limit = page_limit(request)
    rows = await request.app[STORE].list_overpayments(
        PageQuery(after, limit + 1, region, reader.area), status=status
    )
    return page(rows, limit, _balance, lambda row: row.task_id, after)


@routes.get("/v1/overpayments/{task_id}")
async def get_overpayment(request: web.Request) -> web.Response:
    """One task's overpayment: amount, recovered, remaining, status, refunded (to a person
    who did not owe it: a voided balance, a release's cut), and each sum recovered."""
    reader = require_reader(request)
    task_id = _task_id(request)
    store = request.app[STORE]
    row = await store.get_overpayment(task_id)
    if row is None:
        raise Problem("not-found", "no overpayment for that task")
    require_in_area(reader, row.county, None, detail="no overpayment for that task")
    recoveries = [
        {
            "record": r.sequence,
            "amount": str(yuan(r.amount_cents)),
            "source": r.source,
            "recovered_on": r.recovered_on,
            "reference": r.reference,
        }
        for r in await store.list_recoveries(task_id)
    ]
    refunded = await refunded_cents(request.app[PROCEDURE], row)
    body = _balance(row) | {"refunded": str(yuan(refunded)), "recoveries": recoveries}
    return web.json_response(body, headers={"Cache-Control": "no-store"})


def _balance(row: OverpaymentRow) -> dict[str, Any]:
    written_off = row.status == RecoveryStatus.written_off
    # voided: the termination was voided, nothing more is recovered (what was, is refunded)
    settled = written_off or row.status == RecoveryStatus.voided
    remaining = 0 if settled else row.amount_cents - row.recovered_cents
    return {
        "task_id": row.task_id,
        "person_id": row.person_id,
        "county": row.county,
        "period": row.period,
        "months": row.months,
        "amount": str(yuan(row.amount_cents)),
        "recovered": str(yuan(row.recovered_cents)),
        "remaining": str(yuan(remaining)),
        "written_off": str(yuan(row.amount_cents - row.recovered_cents if written_off else 0)),
        "status": row.status,
        "write_off_request": row.write_off_item,
    }


def _task_id(request: web.Request) -> str:
    task_id = request.match_info["task_id"]
    if not KEY_CURSOR.fullmatch(task_id):
        raise Problem("not-found", "no overpayment for that task")
    return task_id
