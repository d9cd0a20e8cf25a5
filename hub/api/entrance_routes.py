"""What the coordinators' entrance reads that no other endpoint answers: my own reports.

``GET /v1/my-reports`` lists the reports the token's own sender signed, newest
first, each with its live stage in the procedure (台账动态状态): received,
accepted, approved or rejected, then the verification task it raised (open,
cleared, confirmed) and what the confirmation did to the benefit. A reader only
ever sees its own records here, whatever else its key may read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from aiohttp import web

from certhub.hub.api.auth import require_reader
from certhub.hub.api.pull_routes import page_limit
from certhub.hub.core.keys import STORE
from certhub.hub.problems import Problem
from certhub.hub.store import LedgerRecord, RecordKind
from certhub.schemas.resident_id import mask_resident_id

__all__ = ["report_stage", "routes"]

routes = web.RouteTableDef()
_NEWEST = 2**62  # above any ledger sequence: "before" defaults to the newest record


@routes.get("/v1/my-reports")
async def my_reports(request: web.Request) -> web.Response:
    """The reader's own reports and zero reports, newest first, each with its stage."""
    reader = require_reader(request)
    before = _before(request.query.get("before"))
    limit = page_limit(request)
    store = request.app[STORE]
    records = list(await store.sender_page(reader.sender, RecordKind.REPORT, before, limit + 1))
    page = records[:limit]
    payloads = [json.loads(record.payload) for record in page]
    people = sorted({p["person"]["id_number"] for p in payloads if "person" in p})
    tasks = _tasks_by_source(json.loads(row.snapshot) for row in await store.tasks_of(people))
    items = [_item(r, p, tasks.get(str(r.sequence))) for r, p in zip(page, payloads, strict=True)]
    body = {
        "items": items,
        "next_before": page[-1].sequence if len(records) > limit else None,
    }
    return web.json_response(body, headers={"Cache-Control": "no-store"})


def _before(text: str | None) -> int:
    if text is None:
        return _NEWEST
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise Problem(
            "invalid-parameter",
            "before must be a ledger sequence number",
            extensions={"parameter": "before"},
        )
    return int(text)


def _tasks_by_source(tasks: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """Each report sequence → the latest task that names it among its sources."""
    found: dict[str, Mapping[str, Any]] = {}
    for task in tasks:  # oldest change first, so a later task wins
        for source in task.get("sources", ()):
            found[str(source)] = task
    return found


def _item(
    record: LedgerRecord, payload: Mapping[str, Any], task: Mapping[str, Any] | None
) -> dict[str, Any]:
    person = payload.get("person")
    return {
        "sequence": record.sequence,
        "message_id": record.message_id,
        "type": record.message_type,
        "received_at": record.received_at.isoformat(),
        "reason": payload.get("reason"),
        "period": payload.get("period"),
        "event_date": payload.get("event_date"),
        "person": None
        if person is None
        else {"name": person["name"], "id_number": mask_resident_id(person["id_number"])},
        "review": record.status,
        "task": None
        if task is None
        else {
            "task_id": task["task_id"],
            "status": task["status"],
            "disposal": task.get("disposal"),
        },
        "stage": report_stage(record.message_type, record.status, task),
        "receipt": record.receipt,
    }


def report_stage(message_type: str, review: str | None, task: Mapping[str, Any] | None) -> str:
    """Where a report is now, as one word the entrance shows.

    ``recorded`` (a zero report: nothing to review), ``received``, ``accepted``,
    ``rejected``, ``approved`` (no task, e.g. a benefit already closed), then the
    task's course: ``task_open``, ``cleared``, ``confirmed`` and, by disposal,
    ``terminated`` or ``suspended``.
    """
    if message_type == "zero_report/v1":
        return "recorded"
    if task is None:
        return review or "received"
    if task["status"] in ("open", "in_progress"):
        return "task_open"
    if task["status"] == "confirmed":
        disposal = task.get("disposal")
        return {"terminate": "terminated", "suspend": "suspended"}.get(str(disposal), "confirmed")
    return str(task["status"])
