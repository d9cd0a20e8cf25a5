"""A department's voids of one record, read from the ledger: which citations they withdraw.

A department may send a record again after voiding it (the person died after all) and
void it again later. Each void of a record is the machine's clearing step
``cmpv.<hash>``, ``cmpv.<hash>:2``…; a void withdraws the reports that cited the record
before it only (:func:`~certhub.hub.rules.comparison.withdrawn_since`), and another void
is recorded only when the record was cited again since the last
(:func:`~certhub.hub.rules.comparison.next_void`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from certhub.hub.procedure.context import ProcedureContext
from certhub.hub.rules.comparison import (
    MACHINE_REPORTER,
    SourceRecord,
    cited,
    next_void,
    void_message_id,
    void_names,
    withdrawn_since,
)
from certhub.hub.store.base import LedgerRecord
from certhub.schemas import EligibilityReport, VerificationTask

__all__ = [
    "cited_later_only",
    "last_cited",
    "next_void_id",
    "task_citations",
    "void_steps",
    "withdrawn_after",
]

Cited = tuple[str, str]
"""(department, record id) of a department record a machine report cited."""


async def void_steps(ctx: ProcedureContext, department: str, record_id: str) -> list[LedgerRecord]:
    """The machine's steps recorded for voids of ``department``'s ``record_id``, in order."""
    found: list[LedgerRecord] = []
    while step := await ctx.store.find(
        MACHINE_REPORTER, void_message_id(department, record_id, len(found) + 1)
    ):
        found.append(step)
    return found


async def withdrawn_after(ctx: ProcedureContext, cited_at: Mapping[Cited, int]) -> set[Cited]:
    """The records of ``cited_at`` (each with the ledger sequence of the last report citing
    it) that a void recorded after that report withdraws."""
    found = set()
    for key, at in cited_at.items():
        if withdrawn_since(at, [step.sequence for step in await void_steps(ctx, *key)]):
            found.add(key)
    return found


async def last_cited(
    ctx: ProcedureContext, sources: Mapping[str, Iterable[SourceRecord]]
) -> dict[Cited, int]:
    """For each record the machine reports ``sources`` (message id → records it cited) cite,
    the ledger sequence of the last of them citing it."""
    found: dict[Cited, int] = {}
    for source, records in sources.items():
        report = await ctx.store.find(MACHINE_REPORTER, source)
        at = report.sequence if report is not None else 0
        for record in records:
            key = (record.department, record.record_id)
            found[key] = max(found.get(key, 0), at)
    return found


async def next_void_id(
    ctx: ProcedureContext, reversal: Mapping[str, str], task_ids: Iterable[str]
) -> str | None:
    """The message id of the machine's step for the comparison's void ``reversal`` (its
    ``department``, ``void_record_id`` and ``voided_record_id``), the tasks ``task_ids``
    possibly resting on the record; None when it is recorded already."""
    department, void_id = reversal["department"], reversal["void_record_id"]
    key = (department, reversal["voided_record_id"])
    steps = await void_steps(ctx, *key)
    # the step's outcome names the void (any message type the machine records for a void)
    voids = [
        (step.sequence, void_names(json.loads(step.payload).get("outcome"), department, void_id))
        for step in steps
    ]
    cited_at: int | None = None
    for task_id in task_ids if steps else ():
        row = await ctx.store.get_task(task_id)
        for source in VerificationTask.model_validate_json(row.snapshot).sources if row else ():
            report = None if source.isdigit() else await ctx.store.find(MACHINE_REPORTER, source)
            if report is not None and key in _keys(report):
                cited_at = max(cited_at or 0, report.sequence)
    number = next_void(cited_at, voids)
    return None if number is None else void_message_id(*key, number)


def _keys(report: LedgerRecord) -> set[Cited]:
    records = cited(EligibilityReport.model_validate_json(report.payload).remarks)
    return {(record.department, record.record_id) for record in records}


async def task_citations(
    ctx: ProcedureContext, task_id: str
) -> dict[str, tuple[SourceRecord, ...]]:
    """For each of task ``task_id``'s sources that is a machine report (joined to its
    termination included), the records it cited."""
    row = await ctx.store.get_task(task_id)
    found: dict[str, tuple[SourceRecord, ...]] = {}
    for source in VerificationTask.model_validate_json(row.snapshot).sources if row else ():
        report = None if source.isdigit() else await ctx.store.find(MACHINE_REPORTER, source)
        if report is not None:
            found[source] = cited(EligibilityReport.model_validate_json(report.payload).remarks)
    return found


async def cited_later_only(ctx: ProcedureContext, task_id: str, key: Cited, period: str) -> bool:
    """Whether task ``task_id`` rests on ``key`` (department, record id) only through
    comparison reports of periods after ``period`` (``cmpr.<YYYY-MM>.…``): the record as its
    department sent it again after a void of ``period``, which that void does not withdraw
    whatever order the months were run in (in period order the void came first)."""
    periods = [
        source.split(".")[1]
        for source, records in (await task_citations(ctx, task_id)).items()
        if source.startswith("cmpr.") and key in {(r.department, r.record_id) for r in records}
    ]
    return bool(periods) and all(later > period for later in periods)
