"""The comparison as a reporter: what the hub's own machine may say, and how a void is undone.

Design decision (DESIGN.md §7 rule 5 and rule 8). "Whoever collects,
registers" names a person for every report a system relays; the monthly
information comparison has no such person — it is the hub reading the
departments' registers. So it is a reporter of its own kind, the **machine
reporter** ``adapter:comparison``:

* it reports only in its own name (``reporter`` is the signing key's sender,
  in the key's role ``department``), never for a coordinator;
* its evidence is the departments' source records it matched, cited in the
  report's ``remarks`` (``department:record_id kind date grade G``), so the
  grade rule is re-checked from the signed message itself, not from the
  sender's word: a grade-A source (a register of record) opens a task alone;
  grade-B sources need two different departments (:func:`check_grades`);
* because the grade rule stands where a person's acceptance and approval
  stand for a relayed report, the machine's report opens (or joins) the
  verification task at once. The task is a suspicion to verify: confirming
  it — and any termination — stays a county reviewer's step.

A department's void withdraws one of its records (:func:`reversal_action`):
the task it alone raised is cleared; a task other evidence still supports is
kept; a task already confirmed, whose termination followed, is never
reopened by the machine. Once every record its machine sources cite is
withdrawn and no person's report stands behind it, the termination is
*voided* (:func:`termination_voided`): the hub opens a restoration proposal,
an item people decide (town accepts, the county or city approves), and only
its approval restores the benefit (rule 7, :mod:`certhub.hub.rules.restoration`,
:func:`~certhub.hub.rules.restoration.propose_restoration`); staff may still
file a restoration themselves.
"""

from __future__ import annotations

import hashlib
import re
import string
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final
from urllib.parse import quote, unquote

from certhub.hub.rules.decisions import Signer
from certhub.hub.rules.notices import Notice, masked_name
from certhub.schemas import (
    ActorRef,
    CertificationEvent,
    EligibilityReport,
    Refusal,
    Role,
    TaskStatus,
    VerificationTask,
)

__all__ = [
    "EXEMPT_KIND",
    "EXEMPT_PREFIX",
    "MACHINE_REPORTER",
    "MACHINE_ROLE",
    "ReversalAction",
    "SourceRecord",
    "check_grades",
    "check_machine_reporter",
    "cite",
    "cited",
    "exempt_notice",
    "exempt_notice_certification",
    "exempt_notice_id",
    "exempt_text",
    "machine_actor",
    "next_void",
    "opens_alone",
    "reversal_action",
    "termination_voided",
    "void_message_id",
    "void_names",
    "void_text",
    "withdrawn",
    "withdrawn_since",
]

MACHINE_REPORTER: Final = "adapter:comparison"
"""The sender id of the hub's own comparison (its key is the hub's, enrolled on first run)."""
MACHINE_ROLE: Final = Role.department
MAX_CITED: Final = 10
"""Sources cited in one message (the strongest first), as many as ``remarks`` holds."""
REMARKS_MAX: Final = 1000
"""The characters ``remarks`` holds (``FreeText``)."""

_SOURCE = re.compile(
    r"(?P<department>[a-z_]+):(?P<record_id>\S+) (?P<kind>[a-z_]+)"
    r" (?P<event_date>\d{4}-\d{2}-\d{2}) grade (?P<grade>[ABC])"
)
_WITHDRAWS = re.compile(r"withdraws (?P<department>[a-z_]+):(?P<record_id>\S+)")
# A record id is cited percent-encoded where it holds a space, ';', '%' or non-ASCII,
# so any id a department uses reads back exactly.
_ID_SAFE: Final = string.punctuation.replace(";", "").replace("%", "")


def _id_text(record_id: str) -> str:
    return quote(record_id, safe=_ID_SAFE)


@dataclass(frozen=True, slots=True, order=True)
class SourceRecord:
    """One department record a finding rests on (the canonical comparison record's key facts)."""

    department: str
    record_id: str
    kind: str
    event_date: date
    grade: str

    def text(self) -> str:
        """``department:record_id kind YYYY-MM-DD grade G`` — the form cited in remarks."""
        when = self.event_date.isoformat()
        return f"{self.department}:{_id_text(self.record_id)} {self.kind} {when} grade {self.grade}"


def machine_actor() -> ActorRef:
    """The comparison as an actor: reporter of its reports, author of its voids."""
    return ActorRef(id=MACHINE_REPORTER, role=MACHINE_ROLE)


def cite(rule: str, period: str, sources: Iterable[SourceRecord]) -> str:
    """The remarks of a machine message: the rule, the period and the sources.

    The strongest record of each department comes first (grade A first), so the
    :data:`MAX_CITED` kept (as many as the remarks hold) carry what the grade rule needs.
    """
    ranked = sorted(sources, key=lambda s: (s.grade, s.event_date, s.department, s.record_id))
    firsts: list[SourceRecord] = []
    rest: list[SourceRecord] = []
    for source in ranked:
        seen = any(f.department == source.department for f in firsts)
        (rest if seen else firsts).append(source)
    text = f"{rule} {period}: sources "
    for n, source in enumerate([*firsts, *rest][:MAX_CITED]):
        more = ("; " if n else "") + source.text()
        if n and len(text) + len(more) > REMARKS_MAX:
            # only while the remarks hold them: long record ids (words, percent-encoded) made
            # a report of eight records longer than 1000 characters, refused, no task opened
            break
        text += more
    return text


def cited(remarks: str | None) -> tuple[SourceRecord, ...]:
    """The sources a machine message cites (empty when it cites none)."""
    return tuple(
        SourceRecord(
            m["department"], unquote(m["record_id"]), m["kind"],
            date.fromisoformat(m["event_date"]), m["grade"],
        )
        for m in _SOURCE.finditer(remarks or "")
    )  # fmt: skip


def opens_alone(sources: Iterable[SourceRecord]) -> bool:
    """The grade rule: a grade-A source, or grade-B sources of two different departments."""
    listed = [s for s in sources if s.grade in {"A", "B"}]
    return any(s.grade == "A" for s in listed) or len({s.department for s in listed}) >= 2


def check_machine_reporter(reporter: ActorRef, signer: Signer) -> None:
    """The machine reports in its own name only, under its own key (``forged-role`` else)."""
    if signer.sender != MACHINE_REPORTER or signer.role is not MACHINE_ROLE:
        raise Refusal(
            "forged-role",
            f"only the hub's comparison ({MACHINE_REPORTER}, role department) reports as the "
            f"machine, not {signer.sender!r}",
        )
    if reporter.id != MACHINE_REPORTER or reporter.role is not MACHINE_ROLE:
        raise Refusal(
            "forged-role",
            f"the comparison reports in its own name, not as {reporter.id!r} ({reporter.role})",
        )


def check_grades(report: EligibilityReport) -> tuple[SourceRecord, ...]:
    """The sources of a machine report, if they satisfy the grade rule; else a refusal.

    Raises:
        Refusal: ``second-source-required`` — no source cited, or grade-B sources of one
            department only (they wait for a second department before a task opens).
    """
    sources = cited(report.remarks)
    if not opens_alone(sources):
        found = ", ".join(s.text() for s in sources) or "none"
        raise Refusal(
            "second-source-required",
            "a task opens on one grade-A source or grade-B sources of two departments; "
            f"cited: {found}",
        )
    return sources


def void_message_id(department: str, record_id: str, number: int = 1) -> str:
    """``cmpv.<32 hex>``: the machine's step for a department's void of one record, once;
    a void of the record sent again after ``number - 1`` voids is ``cmpv.<32 hex>:<number>``."""
    base = "cmpv." + hashlib.sha256(f"{department}|{record_id}".encode()).hexdigest()[:32]
    return base if number == 1 else f"{base}:{number}"


def void_names(outcome: str | None, department: str, void_record_id: str) -> bool:
    """Whether a machine clearing step's ``outcome`` is ``department``'s void ``void_record_id``."""
    return f" {department} void {_id_text(void_record_id)} withdraws " in (outcome or "")


def withdrawn_since(cited_at: int, voided_at: Collection[int]) -> bool:
    """Whether a record a report cited at ledger sequence ``cited_at`` is withdrawn: a void
    of it (at ``voided_at``) was recorded after the report.

    Decided here (rule 7, money safety): a department sending a record again after its void
    says it stands again (the person died after all); a void recorded before withdraws the
    citations made before it only, else a termination confirmed on the record sent again
    would be "voided" from the start and restored to a person the department reports dead.
    """
    return any(at > cited_at for at in voided_at)


def next_void(cited_at: int | None, voids: Sequence[tuple[int, bool]]) -> int | None:
    """The number (1, 2, …) of a department's void of a record to record now, or None when
    it is recorded already.

    Args:
        cited_at: the ledger sequence of the last report citing the record (None: none).
        voids: (ledger sequence, the same void record) of the record's voids recorded
            before, in order.

    The same void seen again (a period re-run) is recorded already; another void of the
    record is a void of its own only when the record was cited again after the last one
    (sent again by its department): otherwise there is nothing more to withdraw.
    """
    if any(same for _, same in voids):
        return None
    if not voids:
        return 1
    return len(voids) + 1 if cited_at is not None and cited_at > voids[-1][0] else None


def void_text(period: str, department: str, void_record_id: str, voided_record_id: str) -> str:
    """The outcome of the machine's clearing step: which record the department withdrew."""
    return (
        f"R-REVERSAL {period}: {department} void {_id_text(void_record_id)} withdraws "
        f"{department}:{_id_text(voided_record_id)}"
    )


def withdrawn(outcome: str | None) -> tuple[str, str] | None:
    """(department, record id) a machine clearing step withdraws, or None if it names none."""
    found = _WITHDRAWS.search(outcome or "")
    return (found["department"], unquote(found["record_id"])) if found else None


class ReversalAction(StrEnum):
    """What a department's void does to the task its record raised."""

    CLEAR = "cleared"  # the void took away all the task rested on
    KEEP = "kept"  # other evidence (another source, a person's report) still stands
    PROPOSE_RESTORATION = "restoration_proposed"  # its termination is voided: a person decides
    NONE = "no_effect"  # cleared already, or confirmed and not (or not wholly) voided


def reversal_action(
    task: VerificationTask,
    voided: Collection[tuple[str, str]],
    machine_sources: Mapping[str, tuple[SourceRecord, ...]],
    *,
    terminated_by_task: bool,
) -> ReversalAction:
    """What withdrawing the records ``voided`` does to ``task``.

    Args:
        task: the task the withdrawn record raised or joined.
        voided: (department, record id) of the record withdrawn now and of those
            withdrawn before (they support nothing either).
        machine_sources: for each of the task's sources that is a machine report, the
            records it cited; a source missing here is a person's report.
        terminated_by_task: the person's benefit was terminated by this task.
    """
    people = [s for s in task.sources if s not in machine_sources]
    remaining = [
        record
        for cited_records in machine_sources.values()
        for record in cited_records
        if (record.department, record.record_id) not in voided
    ]
    if task.status is TaskStatus.cleared:
        return ReversalAction.NONE
    if task.status is TaskStatus.confirmed:
        voided_now = terminated_by_task and termination_voided(task, voided, machine_sources)
        return ReversalAction.PROPOSE_RESTORATION if voided_now else ReversalAction.NONE
    if people or opens_alone(remaining):
        return ReversalAction.KEEP
    return ReversalAction.CLEAR


def termination_voided(
    task: VerificationTask,
    voided: Collection[tuple[str, str]],
    machine_sources: Mapping[str, tuple[SourceRecord, ...]],
) -> bool:
    """Whether ``task``'s confirmation rests on nothing any more: its termination is voided.

    True only when every source of the task is a machine report and every record
    they cite is in ``voided``. A person's report (or a source the hub cannot read
    back as a machine report) keeps the termination standing: the machine never
    unsays what a person reported, and a termination resting on a person's word
    is never restored by this path.
    """
    if task.status is not TaskStatus.confirmed or not machine_sources:
        return False
    if any(source not in machine_sources for source in task.sources):
        return False
    cited_records = [r for records in machine_sources.values() for r in records]
    return bool(cited_records) and all((r.department, r.record_id) in voided for r in cited_records)


def exempt_notice(event: CertificationEvent, message_id: str) -> Notice:
    """Tell a pensioner certified by data comparison (免办) that they need do nothing.

    Idempotent per person and period: ``message_id`` is the certification's, derived
    from the period and the person only.
    """
    return Notice(
        exempt_notice_id(message_id), event.person, EXEMPT_KIND, exempt_text(event.person.name)
    )


EXEMPT_KIND: Final = "exempt_certified"
"""The kind of the 免办 notice (:func:`exempt_notice`)."""
EXEMPT_PREFIX: Final = "exempt:"
"""A 免办 notice's id: ``exempt:<the certification's message id>``."""


def exempt_notice_id(message_id: str) -> str:
    """The id of the 免办 notice of the comparison's certification ``message_id``."""
    return EXEMPT_PREFIX + message_id


def exempt_notice_certification(notice_id: str) -> str | None:
    """The message id of the comparison's certification a 免办 notice announces (sent by
    :data:`MACHINE_REPORTER`); None for any other notice."""
    return notice_id[len(EXEMPT_PREFIX) :] if notice_id.startswith(EXEMPT_PREFIX) else None


def exempt_text(name: str) -> str:
    """The 免办 notice's text for a pensioner named ``name`` (masked but the surname)."""
    return (
        f"{masked_name(name)}您好：根据部门信息比对，您本认证周期的城乡居民基本养老"
        "保险待遇领取资格认证已完成，无需本人办理。如有疑问请致电12333。"
    )
