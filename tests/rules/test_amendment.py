"""Moving a confirmed death earlier (hub/rules/amendment.py), on hand-computed vectors.

238.00 a month. The README's case: a death confirmed on 2026-10-15, paid through
2026-12, recovers 2026-11..12 = 476.00; a record saying 2026-06-20 opens an
amendment, and its approval recovers 2026-07..10 = 4 x 238.00 = 952.00 more
(1,428.00 in all). Across a year end: 2026-01-20 moved to 2025-11-30 recovers
2025-12..2026-01 = 476.00. Into a leap February: 2024-05-10 moved to 2024-02-29
recovers 2024-03..05 = 714.00 (29 February is a day of February: March is the
first month overpaid).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from disposalkit import COUNTY, confirmed_task, roster_entry
from pydantic import ValidationError

from certhub.hub.rules.amendment import (
    Amended,
    RecordAction,
    amend,
    earlier_month,
    record_action,
    resting_on,
)
from certhub.hub.rules.disposal import Disposal, dispose
from certhub.schemas import (
    AmendmentRecord,
    BenefitRecord,
    Refusal,
    TaskKind,
    Termination,
    TerminationAmendment,
    VerificationTask,
)

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


def confirmed() -> VerificationTask:
    return confirmed_task(NOW)


def roster(task: VerificationTask, paid_through: str) -> BenefitRecord:
    return roster_entry(task.person, NOW, paid_through)


def amendment(task: VerificationTask, confirmed_on: date, to: date) -> TerminationAmendment:
    return TerminationAmendment(
        person=task.person,
        task_id=task.task_id,
        reason=TaskKind.death,
        event_date=confirmed_on,
        amended_event_date=to,
        source="report item 12",
        proposed_at=NOW,
    )


def terminated(
    task: VerificationTask,
    died: date,
    entry: BenefitRecord | None = None,
    back_paid: tuple[str, ...] = (),
) -> tuple[Disposal, Termination]:
    """The county's disposal of ``task`` confirming the death on ``died``, and its
    termination."""
    disposal = dispose(
        task, event_date=died, suspend_until=None, roster=entry, decided_by=COUNTY, at=NOW,
        back_paid=back_paid,
    )  # fmt: skip
    assert disposal.termination is not None
    return disposal, disposal.termination


def approved(
    in_force: Termination,
    change: TerminationAmendment,
    task: VerificationTask,
    entry: BenefitRecord | None = None,
    *,
    recovered: tuple[str, ...] = (),
    back_paid: tuple[str, ...] = (),
) -> Amended:
    """``change`` to ``in_force`` approved by the county as item 12."""
    return amend(
        in_force,
        change,
        task=task,
        roster=entry,
        recovered=recovered,
        back_paid=back_paid,
        decided_by=COUNTY,
        at=NOW,
        item_id=12,
    )


def case(
    died: date, to: date, paid_through: str, back_paid: tuple[str, ...] = ()
) -> tuple[list[tuple[str, str, int, str]], list[tuple[str, str, int, str]], Termination]:
    """(first overpayments, the amendment's, the amended termination)."""
    task = confirmed()
    entry = roster(task, paid_through)
    first, termination = terminated(task, died, entry, back_paid)
    change = amendment(task, died, to)
    recovered = first.recovered_months
    moved = approved(termination, change, task, entry, recovered=recovered, back_paid=back_paid)
    assert not set(moved.recovered_months) & set(first.recovered_months)  # never twice

    def runs(overs: Any) -> list[tuple[str, str, int, str]]:
        return [(str(o.period_from), str(o.period_to), o.months, str(o.amount)) for o in overs]

    return runs(first.overpayments), runs(moved.overpayments), moved.termination


def test_the_readme_vector() -> None:
    first, amended, termination = case(date(2026, 10, 15), date(2026, 6, 20), "2026-12")
    assert first == [("2026-11-01", "2026-12-31", 2, "476.00")]
    assert amended == [("2026-07-01", "2026-10-31", 4, "952.00")]
    assert (termination.event_date, termination.effective_from) == (date(2026, 6, 20),) * 2
    assert termination.remarks is not None
    assert "2026-10-15 to 2026-06-20" in termination.remarks


def test_across_a_year_end() -> None:
    first, amended, _ = case(date(2026, 1, 20), date(2025, 11, 30), "2026-03")
    assert first == [("2026-02-01", "2026-03-31", 2, "476.00")]
    assert amended == [("2025-12-01", "2026-01-31", 2, "476.00")]


def test_to_a_leap_day_with_nothing_recovered_before() -> None:
    first, amended, termination = case(date(2024, 5, 10), date(2024, 2, 29), "2024-05")
    assert first == []  # paid through the death month: nothing overpaid at confirmation
    assert amended == [("2024-03-01", "2024-05-31", 3, "714.00")]
    assert termination.event_date == date(2024, 2, 29)


def test_only_months_paid_count_and_back_paid_ones_do() -> None:
    """Paid through 2026-07 by the roster, 2026-09 back-paid by a restoration: moved from
    2026-10-15 to 2026-06-20, 2026-07 and 2026-09 are overpaid, 2026-08 and 10 never paid."""
    first, amended, _ = case(date(2026, 10, 15), date(2026, 6, 20), "2026-07", ("2026-09",))
    assert first == []
    assert amended == [
        ("2026-07-01", "2026-07-31", 1, "238.00"),
        ("2026-09-01", "2026-09-30", 1, "238.00"),
    ]


def test_a_month_recovered_before_is_not_recovered_again() -> None:
    task = confirmed()
    entry = roster(task, "2026-12")
    _, termination = terminated(task, date(2026, 10, 15), entry)
    change = amendment(task, date(2026, 10, 15), date(2026, 6, 20))
    moved = approved(termination, change, task, entry, recovered=("2026-08", "2026-11", "2026-12"))
    assert moved.recovered_months == ("2026-07", "2026-09", "2026-10")


def test_which_records_open_an_amendment() -> None:
    _, term = terminated(confirmed(), date(2026, 10, 15))
    death = TaskKind.death
    assert record_action(term, death, date(2026, 9, 30), None) is RecordAction.AMEND
    assert record_action(term, death, date(2026, 10, 1), None) is RecordAction.LINK  # same month
    assert record_action(term, death, date(2026, 11, 2), None) is RecordAction.LINK  # later
    assert record_action(term, TaskKind.missing, date(2026, 6, 1), None) is RecordAction.LINK
    # one open at a time: no earlier than the open one is linked, earlier still refused
    assert record_action(term, death, date(2026, 6, 5), date(2026, 6, 20)) is RecordAction.LINK
    with pytest.raises(Refusal) as refused:
        record_action(term, death, date(2026, 5, 31), date(2026, 6, 20))
    assert refused.value.slug == "conflict"
    assert earlier_month(date(2025, 1, 1), date(2024, 12, 31))
    assert not earlier_month(date(2024, 3, 1), date(2024, 3, 31))


def test_an_amendment_of_another_termination_or_date_is_refused() -> None:
    task = confirmed()
    _, termination = terminated(task, date(2026, 10, 15))
    stale = amendment(task, date(2026, 9, 15), date(2026, 6, 20))  # a date no longer in force
    with pytest.raises(Refusal) as refused:
        approved(termination, stale, task)
    assert refused.value.slug == "conflict"
    early = amendment(task, date(2026, 10, 15), date(1900, 1, 1))  # before the birth
    with pytest.raises(Refusal) as refused:
        approved(termination, early, task)
    assert refused.value.slug == "task-transition-invalid"


@pytest.mark.parametrize("to", [date(2026, 10, 1), date(2026, 11, 3)])
def test_the_amendment_names_an_earlier_month(to: date) -> None:
    with pytest.raises(ValidationError, match="not in a month before"):
        amendment(confirmed(), date(2026, 10, 15), to)


@pytest.mark.parametrize(
    ("source", "rests_on", "found"),
    [
        # the record is read from rests_on; words that look like another record mislead nothing
        ("report item 99 (2026-06-20)", AmendmentRecord(kind="machine_report", id="m-7"), "m-7"),
        ("adapter:comparison m-7 (2026-06-20)", AmendmentRecord(kind="report", id="12"), "12"),
        ("adapter:comparison m-7", AmendmentRecord(kind="machine_report", id="m-8"), "m-8"),
        # signed before rests_on was added: the words the hub wrote then
        ("report item 12 (2026-06-20)", None, "12"),
        ("adapter:comparison m-7 (2026-06-20)", None, "m-7"),
        ("a death certificate", None, None),
        ("report item", None, None),
    ],
)
def test_what_an_amendment_rests_on(
    source: str, rests_on: AmendmentRecord | None, found: str | None
) -> None:
    task = confirmed()
    signed = amendment(task, date(2026, 10, 15), date(2026, 6, 20))
    signed = signed.model_copy(update={"source": source, "rests_on": rests_on})
    assert resting_on(signed) == found


def test_rests_on_is_optional_on_the_wire_and_closed() -> None:
    """An amendment signed before ``rests_on`` was added still validates; a kind the hub
    does not name, or a field it does not know, is refused."""
    task = confirmed()
    signed = amendment(task, date(2026, 10, 15), date(2026, 6, 20)).model_dump(mode="json")
    assert signed["rests_on"] is None
    del signed["rests_on"]
    assert TerminationAmendment.model_validate(signed).rests_on is None
    for wrong in ({"kind": "rumour", "id": "1"}, {"kind": "report", "id": "1", "x": 1}):
        with pytest.raises(ValidationError):
            TerminationAmendment.model_validate(signed | {"rests_on": wrong})
