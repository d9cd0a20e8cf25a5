"""The verification task an approved report opens is placed where the roster has the person.

A village coordinator reports whom it knew, by the village it knew them in: the report
is signed and kept as filed (its filing region and the person's region it names), and
is accepted and reviewed there — refusing it would tell the coordinator where the
pensioner lives now. But the task that verifies the person is the work of the office
responsible for that pensioner today: before, it opened in the old village, where the
new village's town could neither list nor step it (``task-not-found``) and the old one
verified someone it no longer serves. So a task opened by a report naming the person
outside the roster's region takes the roster's region, and says where the report came
from; a report naming the roster's region, a village of the county the roster names or
the county of the roster's village keeps its own (the roster's county reads it already).
"""

from __future__ import annotations

from datetime import datetime

from certhub.hub.procedure.context import ProcedureContext
from certhub.hub.rules.tasks import TaskRecord, task_for_report
from certhub.schemas import BenefitRecord, EligibilityReport, RegionRef, VerificationTask

__all__ = ["placed_task"]


async def placed_task(
    ctx: ProcedureContext,
    existing: TaskRecord | None,
    report: EligibilityReport,
    report_id: str,
    now: datetime,
) -> VerificationTask | None:
    """:func:`~certhub.hub.rules.tasks.task_for_report`, a new task placed where the
    roster has the person (a task joined keeps its place)."""
    task = task_for_report(existing, report, report_id, now)
    if task is None or existing is not None:
        return task
    snapshot = await ctx.store.get_roster(report.person.id_number)
    if snapshot is None:
        return task
    region = BenefitRecord.model_validate_json(snapshot).person.region
    named = report.person.region
    if _code(named).startswith(_code(region)) or _code(region).startswith(_code(named)):
        return task  # one holds the other: the roster's readers read the task already
    note = (
        f"reported from {_code(report.region)} naming the person in {_code(named)}; "
        f"the roster has the person in {_code(region)}: verified here"
    )
    person = report.person.model_copy(update={"region": region})
    return VerificationTask.model_validate({**dict(task), "person": person, "remarks": note})


def _code(region: RegionRef) -> str:
    return region.village or region.county
