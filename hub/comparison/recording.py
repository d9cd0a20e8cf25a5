"""A comparison run's results into the ledger, all as the machine reporter ``adapter:comparison``.

Three kinds of message, each through the inbound path (signed, verified,
validated, planned by :func:`certhub.hub.procedure.comparison.plan_comparison`,
recorded, receipted), each once — their ids come from the facts — in this order:

1. reports of direct evidence (``open`` proposals), one per person and kind,
   opening or joining the person's verification task — or, the benefit closed,
   opening an amendment of the death or linked to the closed history;
2. clearing steps for the departments' voids, for the task citing the withdrawn record, else
   the 免办 certifications citing it (a record sent again after its void, voided again: its own);
   none for a later run's void the run listed (``later_void``: recorded by that run,
   :mod:`.later_voids`);
3. certifications (免办), one per person, with the SMS; withheld as the ledger stands after
   the voids (money safety: before, a task or closure the run's void undid withheld them).

:func:`record_into` works in a started hub application — the one ``certhub compare run``
starts for itself (:func:`certhub.hub.cli.compare_ledger.record_run`), or a worker's, which
records each city partition it takes (:mod:`certhub.hub.comparison.jobs`).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from certhub.hub.comparison import bulk_rows
from certhub.hub.comparison.bulk_record import BulkCertifier
from certhub.hub.comparison.certify import ADAPTER_NAME, message_id, rows
from certhub.hub.comparison.certify import certification_event as event
from certhub.hub.comparison.engine import ComparisonRun
from certhub.hub.comparison.exempt_voids import exempt_void
from certhub.hub.comparison.holds import Withheld, certifiable, withhold
from certhub.hub.comparison.later_voids import recorded_mark
from certhub.hub.comparison.progress import ProgressBar
from certhub.hub.comparison.proposals import (
    OPEN,
    eligibility_report,
    json_lines,
    report_message_id,
    task_kinds_of,
    void_step,
)
from certhub.hub.comparison.retention import purge_unmatched
from certhub.hub.comparison.signing import BatchSigner
from certhub.hub.core.keys import PIPELINE, PROCEDURE, SETTINGS, STORE, TRUST
from certhub.hub.ingress.inbound import (
    InboundIngestor,
    InboundSender,
    adapter_key_path,
    enrol_inbound,
)
from certhub.hub.procedure.amendments import opened_by
from certhub.hub.procedure.comparison import plan_comparison
from certhub.hub.procedure.context import ProcedureContext
from certhub.hub.procedure.voids import cited_later_only, next_void_id
from certhub.hub.store import LedgerStore, TaskRow
from certhub.hub.store.bulk_append import BulkAppender
from certhub.hub.store.sqlite.writer_client import WriterClientLedger
from certhub.schemas import (
    AmendmentRecord,
    Refusal,
    TaskStatus,
    VerificationTask,
    mask_ids_in_text,
)
from certhub.security import replace_atomic

__all__ = [
    "MACHINE_TYPES",
    "LedgerTally",
    "Pacing",
    "comparison_sender",
    "many_certifications",
    "purge_unmatched",
    "record_into",
    "refusal_text",
    "sign_workers_here",
]

MACHINE_TYPES = ("certification_event/v1", "eligibility_report/v1", "task_transition/v1")
"""What the comparison's key may sign (its trust-store entry)."""
_HELPER_FROM = 5000  # from this many certifications a signature-helper process pays its start
_SIGN_WORKERS = 2  # processes preparing a large bulk, at most (bench/README.md)


@dataclass(frozen=True)
class Pacing:
    """How the certifications are read and recorded (both bound the memory in use)."""

    batch: int = 16384
    """Parquet rows read at a time; in bulk, one transaction each: a large ledger's random-key
    index pages, dirtied by each record, are shared (bench/README.md, 2026-12-07)."""
    chunk: int = 256  # recorded concurrently one by one: the ledger commits them in groups


@dataclass
class LedgerTally:
    """What happened to the run's results in the ledger."""

    recorded: int = 0
    already: int = 0
    refused: int = 0
    withheld: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    per_second: float = 0.0
    reports: dict[str, int] = field(default_factory=dict)
    reversals: dict[str, int] = field(default_factory=dict)
    restoration_proposals: list[str] = field(default_factory=list)
    purged: list[str] = field(default_factory=list)

    def count(self, section: dict[str, int], outcome: str) -> None:
        """One more ``outcome`` in ``section``."""
        section[outcome] = section.get(outcome, 0) + 1

    def timed_since(self, began: float) -> None:
        """Record the certifications' duration since ``began`` (``perf_counter``) and rate."""
        self.seconds = round(time.perf_counter() - began, 3)
        self.per_second = round((self.recorded + self.already) / max(self.seconds, 1e-6), 1)


@dataclass(frozen=True)
class _Certifications:
    """The run's certifications to record for ``period``, whichever way they are recorded:
    read batch-wise, the withheld left out, counted and timed in ``tally``, shown on a
    progress bar when asked to."""

    run: ComparisonRun
    period: str
    pacing: Pacing
    withheld: Withheld
    tally: LedgerTally
    show: bool

    def batches(self, select: str | None = None) -> Iterator[list[tuple[Any, ...]]]:
        """The rows to record (the columns ``select``, by default all), batch by batch."""
        return certifiable(rows(self.run.certifications, self.pacing.batch, select), self.withheld)

    @contextmanager
    def shown(self) -> Iterator[Callable[[int], None] | None]:
        """Recording them: a progress bar's ``advance`` when asked (else None), ended however
        the recording ends, its time kept in the tally when it succeeds."""
        total = int(self.run.summary["certified"])
        bar = ProgressBar(sys.stderr, total, "certifications") if self.show else None
        began = time.perf_counter()
        try:
            yield bar.advance if bar is not None else None
        finally:
            if bar is not None:
                bar.done()
        self.tally.timed_since(began)


@dataclass(frozen=True)
class _Intake:
    sender: InboundSender
    ingestor: InboundIngestor
    store: LedgerStore
    procedure: ProcedureContext


def sign_workers_here() -> int:
    """Signing workers for a large bulk on this machine: a core stays the recorder's (its
    statements, and the database's), the others prepare, up to :data:`_SIGN_WORKERS`; none
    on one core, where a worker would only take turns with the recorder (bench/README.md)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(0, min((cores or 1) - 1, _SIGN_WORKERS))


def many_certifications(run: ComparisonRun) -> bool:
    """Whether the run certifies enough people for a signature helper to pay its start."""
    return int(run.summary.get("certified", 0)) >= _HELPER_FROM


async def comparison_sender(app: web.Application) -> InboundSender:
    """The comparison's signing sender, enrolled in the hub's trust store (once is enough)."""
    settings = app[SETTINGS]
    sender = await asyncio.to_thread(
        enrol_inbound, settings.keys_dir, settings.trust_store_path, ADAPTER_NAME, MACHINE_TYPES
    )
    await asyncio.to_thread(app[TRUST].reload_if_changed)  # trusted from now on
    return sender


async def record_into(
    app: web.Application,
    sender: InboundSender,
    run: ComparisonRun,
    period: str,
    *,
    show: bool = False,
    bulk: bool = True,
    sign_workers: int | None = None,
    pacing: Pacing = Pacing(),
) -> LedgerTally:
    """Record the run's certifications, reports and voids; its summary gains ``ledger``.

    ``app`` is a started hub (its ledger, trust store and procedure);
    ``sender`` is :func:`comparison_sender`'s. Purges unmatched records past
    retention, and rewrites the run's summary with the tally. ``bulk``
    records the certifications batch-wise
    (:mod:`certhub.hub.comparison.bulk_record`; the same records, much faster)
    when the ledger can, else one by one through the inbound path;
    ``sign_workers`` processes sign them (None: :func:`sign_workers_here` from
    :data:`_HELPER_FROM` certifications on).
    """
    settings = app[SETTINGS]
    tally = LedgerTally()
    plan = partial(plan_comparison, app[PROCEDURE])
    ingestor = InboundIngestor(app[PIPELINE], app[STORE], plan)
    intake = _Intake(sender, ingestor, app[STORE], app[PROCEDURE])
    store = app[STORE]
    await _reports(intake, run, period, tally)
    await _reversals(intake, run, period, tally)
    withheld = await withhold(store, run)  # asked now: after the run's voids, as it stands
    tally.withheld = withheld.counts()
    certifications = _Certifications(run, period, pacing, withheld, tally, show)
    # the SQLite writer's client (an ingress process) sends single appends: one by one there
    if bulk and isinstance(store, BulkAppender) and not isinstance(store, WriterClientLedger):
        many = many_certifications(run)
        workers = (sign_workers_here() if many else 0) if sign_workers is None else sign_workers
        trust = app[TRUST]
        key_path = adapter_key_path(settings.keys_dir, ADAPTER_NAME)
        signer = BatchSigner(sender.key, key_path, workers, preload=bulk_rows.__name__)
        certifier = BulkCertifier(sender, store, lambda: trust.messages, plan, signer)
        await _bulk_certifications(certifier, certifications)
    else:
        await _certifications(intake, certifications)
    runs_dir = run.folder.parent
    days = settings.comparison_unmatched_retention_days
    tally.purged = await purge_unmatched(store, runs_dir, days, time.time())
    run.summary["ledger"] = asdict(tally)
    document = json.dumps(run.summary, ensure_ascii=False, indent=2, default=str) + "\n"
    path = run.folder.parent / f"{run.run_id}.json"
    await asyncio.to_thread(replace_atomic, path, document.encode())
    # outlives a later --no-ledger compare, which rewrites the summary without the tally
    await asyncio.to_thread(recorded_mark(path).touch)
    return tally


def refusal_text(exc: BaseException) -> str:
    """A refusal in one line: a validation error's places and messages, never its inputs."""
    if isinstance(exc, ValidationError):
        errors = exc.errors(include_input=False, include_url=False, include_context=False)
        text = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
    else:
        text = str(exc) or type(exc).__name__
    return mask_ids_in_text(" ".join(text.split()))


async def _bulk_certifications(certifier: BulkCertifier, todo: _Certifications) -> None:
    """The certifications batch-wise, each its own signed message (see ``bulk_record``)."""
    tally = todo.tally
    with todo.shown() as advance:
        try:
            done = await certifier.record(todo.period, todo.batches(bulk_rows.SELECT), advance)
        finally:
            certifier.signer.close()
        tally.recorded, tally.already, tally.refused = done.recorded, done.already, done.refused
    for refusal in done.refusals:
        print(f"certhub: refused {refusal}", file=sys.stderr)


async def _ingest(intake: _Intake, build: Callable[[], Any], mid: str) -> str:
    """``recorded``, ``already`` or ``refused`` (printed, ID numbers masked)."""
    if await intake.store.find(intake.sender.sender, mid) is not None:
        return "already"
    try:
        await intake.ingestor.ingest(intake.sender, build(), mid)
    except (ValidationError, Refusal) as exc:  # every refusal of the hub is a Refusal
        print(f"certhub: refused {mid}: {refusal_text(exc)}", file=sys.stderr)
        return "refused"
    return "recorded"


async def _certifications(intake: _Intake, todo: _Certifications) -> None:
    """The certifications one by one through the inbound path, ``chunk`` at a time."""
    period, step = todo.period, todo.pacing.chunk
    with todo.shown() as advance:
        for batch in todo.batches():
            for start in range(0, len(batch), step):
                chunk = batch[start : start + step]
                jobs: list[Awaitable[str]] = [
                    _ingest(intake, partial(event, period, r), message_id(period, r[0]))
                    for r in chunk
                ]
                for outcome in await asyncio.gather(*jobs):
                    setattr(todo.tally, outcome, getattr(todo.tally, outcome) + 1)
                if advance is not None:
                    advance(len(chunk))


async def _reports(intake: _Intake, run: ComparisonRun, period: str, tally: LedgerTally) -> None:
    """Each open proposal → a report; its outcome read back from the person's task."""
    for proposal in json_lines(run.folder / "proposals.json"):
        if proposal["status"] != OPEN:
            tally.count(tally.reports, "awaiting_second_source")
            continue
        mid = report_message_id(period, proposal["id_number"], proposal["task_kind"])
        outcome = await _ingest(intake, partial(eligibility_report, period, proposal), mid)
        if outcome == "recorded":
            outcome = await _report_outcome(intake, proposal, mid)
        tally.count(tally.reports, outcome)


async def _report_outcome(intake: _Intake, proposal: dict[str, Any], mid: str) -> str:
    """What report ``mid`` (recorded) did: opened or joined the person's task, or — the
    benefit closed — opened an amendment of the death, or was linked to the closed history."""
    person = proposal["id_number"]
    task = await intake.store.find_open_task(person, proposal["task_kind"])
    if task is not None:
        return "task_opened" if task.task_id == f"task-{mid}" else "task_joined"
    record = AmendmentRecord(kind="machine_report", id=mid)
    opened = await opened_by(intake.procedure, person, record)
    return "amendment_opened" if opened else "linked_to_closed"


async def _reversals(intake: _Intake, run: ComparisonRun, period: str, tally: LedgerTally) -> None:
    """Each void → a clearing step for the task citing the withdrawn record, if any does."""
    for reversal in json_lines(run.folder / "reversals.json"):
        if reversal.get("void_run"):  # recorded by that run: the record was not used here
            tally.count(tally.reversals, "later_void")
            continue
        candidates = await _candidates(intake.store, reversal)
        mid = await next_void_id(intake.procedure, reversal, [c[0] for c in candidates])
        if mid is None:  # recorded already (the record not sent again since: nothing to undo)
            tally.count(tally.reversals, "already")
            continue
        outcome = "no_task"
        for task_id, before, version in candidates:
            key = (reversal["department"], reversal["voided_record_id"])
            if await cited_later_only(intake.procedure, task_id, key, period):
                continue  # rests on the record sent again in a later month: not this void's
            step = partial(void_step, period, reversal, task_id, datetime.now(UTC))
            try:
                await intake.ingestor.ingest(intake.sender, step(), mid)
            except Refusal as exc:
                if exc.slug == "task-transition-invalid":  # not resting on that record
                    continue
                print(f"certhub: refused {mid}: {refusal_text(exc)}", file=sys.stderr)
                outcome = "refused"
                break
            outcome = await _effect(intake.store, task_id, (before, version), reversal["id_number"])
            if outcome == "restoration_proposed":
                tally.restoration_proposals.append(task_id)
            break
        if outcome == "no_task":  # a 免办 certification may rest on the record
            outcome = await exempt_void(intake, period, reversal)
        tally.count(tally.reversals, outcome)


async def _candidates(store: LedgerStore, reversal: dict[str, Any]) -> list[tuple[str, str, int]]:
    """(task id, status, version) of the open or terminating tasks the record may rest on."""
    person = reversal["id_number"]
    rows = []
    for kind in task_kinds_of(reversal["department"]):
        row = await store.find_open_task(person, kind.value)
        if row is not None:
            rows.append(row)
    closed = await store.closed_benefit(person)
    if closed is not None and (task := await store.get_task(closed[1])) is not None:
        rows.append(task)
    return [(row.task_id, _status(row), row.version) for row in rows]


def _status(row: TaskRow) -> str:
    return VerificationTask.model_validate_json(row.snapshot).status.value


async def _effect(store: LedgerStore, task_id: str, before: tuple[str, int], person: str) -> str:
    """What the recorded step did, read back from the ledger (the rule decided it there).

    ``before`` is the task's (status, version) ahead of the step. A confirmed task that
    still holds the termination proposes a restoration only if the step re-signed it
    (its version moved): a void that leaves another record standing changes nothing.
    """
    status, version = before
    after = await store.get_task(task_id)
    if after is not None and _status(after) == TaskStatus.cleared and status != TaskStatus.cleared:
        return "cleared"
    if status == TaskStatus.confirmed:
        closed = await store.closed_benefit(person)
        flagged = after is not None and after.version > version
        holds = closed is not None and closed[1] == task_id
        return "restoration_proposed" if flagged and holds else "no_effect"
    return "kept"
