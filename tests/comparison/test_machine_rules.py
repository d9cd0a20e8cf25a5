"""The machine reporter's pure rules (hub/rules/comparison.py), on fixed vectors."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from certhub.hub.rules.comparison import (
    ReversalAction,
    SourceRecord,
    check_grades,
    check_machine_reporter,
    cite,
    cited,
    machine_actor,
    opens_alone,
    reversal_action,
    termination_voided,
    void_text,
    withdrawn,
)
from certhub.hub.rules.decisions import Signer
from certhub.hub.rules.parties import check_reporter
from certhub.schemas import ActorRef, EligibilityReport, Refusal, Role, VerificationTask
from certhub.schemas.resident_id import check_character

NUMBER = "44530219401231011" + check_character("44530219401231011")
PERSON = {"id_number": NUMBER, "name": "黄小明", "region": {"county": "445302"}}
MACHINE = Signer("adapter:comparison", Role.department)


def _src(dept: str, record: str, grade: str, kind: str = "death") -> SourceRecord:
    return SourceRecord(dept, record, kind, date(2026, 9, 3), grade)


def test_the_grade_rule() -> None:
    assert opens_alone([_src("civil_affairs", "C1", "A")])
    assert not opens_alone([_src("health", "H1", "B")])
    assert not opens_alone([_src("health", "H1", "B"), _src("health", "H2", "B")])
    assert opens_alone([_src("health", "H1", "B"), _src("exit_entry", "E1", "B")])
    assert not opens_alone([_src("canteen", "K1", "C"), _src("health", "H1", "B")])
    assert not opens_alone([])


def test_a_citation_reads_back_exactly_grade_a_first() -> None:
    sources = [_src("health", "H-1/9", "B"), _src("civil_affairs", "C1", "A", "cremation")]
    text = cite("R-DIRECT", "2026-09", sources)
    assert text == (
        "R-DIRECT 2026-09: sources civil_affairs:C1 cremation 2026-09-03 grade A; "
        "health:H-1/9 death 2026-09-03 grade B"
    )
    assert cited(text) == (sources[1], sources[0])
    assert cited(None) == ()


def test_any_record_id_reads_back_exactly() -> None:
    odd = [_src("civil_affairs", "火化 2026;07%", "A"), _src("health", "H 1", "B")]
    text = cite("R-DIRECT", "2026-09", odd)
    assert "火化" not in text
    assert set(cited(text)) == set(odd)
    step = void_text("2026-10", "health", "V 9", "H 1;x")
    assert withdrawn(step) == ("health", "H 1;x")


def test_a_long_citation_keeps_each_departments_strongest_record() -> None:
    """Eleven health reports and one exit-entry record: the second department is kept."""
    health = [_src("health", f"H{n:02d}", "B") for n in range(11)]
    exit_entry = SourceRecord("exit_entry", "E1", "emigration", date(2026, 9, 30), "B")
    kept = cited(cite("R-DIRECT", "2026-09", [*health, exit_entry]))
    assert len(kept) == 10
    assert kept[:2] == (health[0], exit_entry)
    assert opens_alone(kept)


def _report(remarks: str, reporter: ActorRef | None = None) -> EligibilityReport:
    return EligibilityReport(
        reason="death",
        person=PERSON,
        event_date=date(2026, 9, 3),
        reporter=reporter or machine_actor(),
        region={"county": "445302"},
        remarks=remarks,
    )


def test_a_machine_report_needs_its_grade_from_its_own_citation() -> None:
    one_b = _report(cite("R-DIRECT", "2026-09", [_src("health", "H1", "B")]))
    with pytest.raises(Refusal) as refused:
        check_grades(one_b)
    assert refused.value.slug == "second-source-required"
    assert check_grades(_report(cite("R-DIRECT", "2026-09", [_src("civil_affairs", "C", "A")])))
    with pytest.raises(Refusal):
        check_grades(_report("grade A, trust me"))


def test_only_the_hubs_comparison_reports_as_the_machine() -> None:
    check_reporter(machine_actor(), MACHINE, lambda _s: None)
    coordinator = ActorRef(id="coord-1", role=Role.coordinator)
    for reporter, signer in (
        (machine_actor(), Signer("adapter:city", Role.department)),  # someone else's key
        (coordinator, MACHINE),  # the machine relaying for a person
        (machine_actor(), Signer("adapter:comparison", Role.channel)),  # the wrong trusted role
    ):
        with pytest.raises(Refusal) as refused:
            check_reporter(reporter, signer, lambda _s: None)
        assert refused.value.slug == "forged-role"
    with pytest.raises(Refusal):
        check_machine_reporter(ActorRef(id="adapter:comparison", role=Role.town_staff), MACHINE)


def _task(status: str, sources: tuple[str, ...]) -> VerificationTask:
    opened = datetime(2026, 10, 1, tzinfo=UTC)
    resolved = {"resolved_at": opened} if status in {"confirmed", "cleared"} else {}
    disposal = {"disposal": "terminate"} if status == "confirmed" else {}
    return VerificationTask(
        task_id="task-1", person=PERSON, kind="death", status=status, sources=sources,
        opened_at=opened, **resolved, **disposal,
    )  # fmt: skip


def test_what_a_void_does() -> None:
    c1, p1 = _src("civil_affairs", "C1", "A"), _src("public_security", "P1", "A")
    machine = {"cmpr.a": (c1,), "cmpr.b": (p1,)}
    voided = {("civil_affairs", "C1")}

    def action(status: str, sources: tuple[str, ...], **kw: bool) -> ReversalAction:
        cited_here = {s: machine[s] for s in sources if s in machine}
        return reversal_action(
            _task(status, sources), voided, cited_here, terminated_by_task=kw.get("t", False)
        )

    assert action("open", ("cmpr.a",)) is ReversalAction.CLEAR
    assert action("in_progress", ("cmpr.a",)) is ReversalAction.CLEAR
    assert action("open", ("cmpr.a", "cmpr.b")) is ReversalAction.KEEP  # P1 still stands
    assert action("open", ("cmpr.a", "17")) is ReversalAction.KEEP  # a person's report stands
    assert action("cleared", ("cmpr.a",)) is ReversalAction.NONE
    assert action("confirmed", ("cmpr.a",), t=True) is ReversalAction.PROPOSE_RESTORATION
    assert action("confirmed", ("cmpr.a",), t=False) is ReversalAction.NONE
    both = reversal_action(
        _task("open", ("cmpr.a", "cmpr.b")), voided | {("public_security", "P1")}, machine,
        terminated_by_task=False,
    )  # fmt: skip
    assert both is ReversalAction.CLEAR


def test_a_termination_is_voided_only_when_every_record_it_rested_on_is_withdrawn() -> None:
    c1, p1 = _src("civil_affairs", "C1", "A"), _src("public_security", "P1", "A")
    machine = {"cmpr.a": (c1,), "cmpr.b": (p1,)}
    one, both = {("civil_affairs", "C1")}, {("civil_affairs", "C1"), ("public_security", "P1")}
    confirmed = _task("confirmed", ("cmpr.a", "cmpr.b"))

    def action(task: VerificationTask, voided: set[tuple[str, str]]) -> ReversalAction:
        cited_here = {s: machine[s] for s in task.sources if s in machine}
        return reversal_action(task, voided, cited_here, terminated_by_task=True)

    # P1 still says the person is dead: the termination stands, nothing is proposed
    assert not termination_voided(confirmed, one, machine)
    assert action(confirmed, one) is ReversalAction.NONE
    assert termination_voided(confirmed, both, machine)
    assert action(confirmed, both) is ReversalAction.PROPOSE_RESTORATION
    # a person's report (item 17) behind the death: never voided by departments
    reported = _task("confirmed", ("cmpr.a", "17"))
    assert not termination_voided(reported, both, {"cmpr.a": (c1,)})
    assert action(reported, both) is ReversalAction.NONE
    # a task not confirmed, or with no machine source, terminated nothing to void
    assert not termination_voided(_task("open", ("cmpr.a",)), one, {"cmpr.a": (c1,)})
    assert not termination_voided(_task("confirmed", ("17",)), both, {})


def test_a_clearing_step_names_the_withdrawn_record() -> None:
    assert withdrawn("R-REVERSAL 2026-11: health void V9 withdraws health:H-1") == ("health", "H-1")
    assert withdrawn("cleared after a phone call") is None
    assert withdrawn(None) is None
