"""A run's task proposals and reversals → the machine reporter's messages for the ledger.

Each ``open`` proposal (one person, one kind of direct evidence) becomes one
``eligibility_report/v1`` from ``adapter:comparison`` citing its source
records in ``remarks`` (:func:`certhub.hub.rules.comparison.cite`); the hub's
rules re-check the grade from that citation and open or join the task.
A proposal ``awaiting_second_source`` sends nothing: it is listed until a
second department says the same. Each reversal becomes one clearing step
(``task_transition/v1``, method ``data_comparison``) naming the withdrawn
record, for the task that cites it.

Message ids depend on the facts only — the report on period, person and
kind, the void on the department and the withdrawn record — so a re-run of a
period, or one city after the whole, sends nothing new.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

from certhub.hub.comparison.catalogue import DEPARTMENTS, DIRECT_KINDS
from certhub.hub.rules.comparison import (
    SourceRecord,
    cite,
    machine_actor,
    void_message_id,
    void_text,
)
from certhub.schemas import (
    EligibilityReport,
    PersonRef,
    RegionRef,
    ReportReason,
    TaskKind,
    TaskStatus,
    TaskTransition,
    VerificationMethod,
)

__all__ = [
    "eligibility_report",
    "json_lines",
    "report_message_id",
    "task_kinds_of",
    "void_message_id",
    "void_step",
]

OPEN: Final = "open"


def _digest(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def report_message_id(period: str, id_number: str, task_kind: str) -> str:
    """``cmpr.<period>.<32 hex>``: one report per person, kind and period, whatever re-runs."""
    return f"cmpr.{period}.{_digest(period, id_number, task_kind)}"


def json_lines(path: Path) -> Iterator[dict[str, Any]]:
    """The objects of a newline-delimited JSON output, one at a time (memory bounded)."""
    if not path.exists():
        return
    with path.open(encoding="utf-8") as stream:
        for line in stream:
            if line.strip():
                yield json.loads(line)


def _source(item: dict[str, Any]) -> SourceRecord:
    return SourceRecord(
        item["department"],
        item["record_id"],
        item["kind"],
        date.fromisoformat(str(item["event_date"])),
        item["grade"],
    )


def eligibility_report(period: str, proposal: dict[str, Any]) -> EligibilityReport:
    """The machine's report for one ``proposals.json`` row (status ``open``).

    Raises:
        pydantic.ValidationError: the roster entry is not a valid person (counted refused).
    """
    county = proposal["county"]
    return EligibilityReport(
        reason=ReportReason(proposal["task_kind"]),
        person=PersonRef(
            id_number=proposal["id_number"], name=proposal["name"], region=RegionRef(county=county)
        ),
        event_date=date.fromisoformat(str(proposal["event_date"])),
        reporter=machine_actor(),
        region=RegionRef(county=county),
        remarks=cite("R-DIRECT", period, map(_source, proposal["sources"])),
    )


def task_kinds_of(department: str) -> tuple[TaskKind, ...]:
    """The task kinds a department's direct evidence can raise (where its void may apply)."""
    known = DEPARTMENTS.get(department)
    kinds = {DIRECT_KINDS[k] for k in known.kinds if k in DIRECT_KINDS} if known else set()
    return tuple(sorted(kinds))


def void_step(period: str, reversal: dict[str, Any], task_id: str, at: datetime) -> TaskTransition:
    """The clearing step for the task resting on the record ``reversal`` withdraws."""
    return TaskTransition(
        task_id=task_id,
        to_status=TaskStatus.cleared,
        method=VerificationMethod.data_comparison,
        outcome=void_text(
            period,
            reversal["department"],
            reversal["void_record_id"],
            reversal["voided_record_id"],
        ),
        actor=machine_actor(),
        at=at,
    )
