"""What the disposal tests share: the fixed pensioner's report, the task it opens as the
county reviewer confirmed it, the roster entry it is decided on, and the overpayment runs
read back as plain tuples, and a balance's records moved back to an earlier death. Each test
module keeps its own dates and sums in view."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from certhub.hub.rules.amendment_undone import moved_back
from certhub.hub.rules.disposal import Disposal
from certhub.hub.rules.release_refund import Balance, Released
from certhub.hub.rules.tasks import TaskRecord, advance, task_for_report
from certhub.mocks.population import Population
from certhub.schemas import (
    ActorRef,
    BenefitRecord,
    EligibilityReport,
    Overpayment,
    PersonRef,
    RecoveryStatus,
    Role,
    TaskTransition,
    VerificationTask,
)

COUNTY = ActorRef(id="county-1", role=Role.county_reviewer)


def report(reason: str = "death", **changes: Any) -> EligibilityReport:
    """The eligibility report of the tests' pensioner (population seed 3) for ``reason``."""
    payload = Population(seed=3).eligibility_report() | {"reason": reason, "remarks": "x"}
    return EligibilityReport.model_validate(payload | changes)


def confirmed_task(at: datetime, reason: str = "death", **changes: Any) -> VerificationTask:
    """The task a ``reason`` report (ledger item 10) opens at ``at``, confirmed then by the
    county reviewer on a department letter; ``changes`` go into the confirming step."""
    task = task_for_report(None, report(reason), "10", at)
    assert task is not None
    step = TaskTransition.model_validate(
        {"task_id": task.task_id, "to_status": "confirmed", "actor": COUNTY, "at": at,
         "method": "department_letter", "outcome": "核实"} | changes
    )  # fmt: skip
    return advance(TaskRecord(task, 0), step, Role.county_reviewer)


def roster_entry(
    person: PersonRef, at: datetime, paid_through: str, **fields: Any
) -> BenefitRecord:
    """The province's entry for ``person`` as of ``at``: active at 238.00 a month, paid
    through ``paid_through``, account on file ``****1234``; ``fields`` change it."""
    base: dict[str, Any] = {
        "person": person,
        "status": "active",
        "monthly_amount": Decimal("238.00"),
        "paid_through": paid_through,
        "bank_account_on_file": "****1234",
        "as_of": at,
    }
    return BenefitRecord.model_validate(base | fields)


def overpayment_runs(disposal: Disposal) -> list[tuple[date, date, int, Decimal]]:
    """The disposal's overpayments as (first day, last day, months, amount)."""
    return [(o.period_from, o.period_to, o.months, o.amount) for o in disposal.overpayments]


def moved_back_balance(
    signed: list[tuple[str, Overpayment]], to: date, recovered_cents: int, status: str
) -> Released | None:
    """:func:`moved_back` of the records ``signed`` (id, record) to a death on ``to``, read as
    one balance as the procedure reads it: their months and amounts summed, ``recovered_cents``
    recovered, the balance ``status``."""
    months = sum(o.months for _, o in signed)
    amount_cents = sum(int(o.amount * 100) for _, o in signed)
    balance = Balance(months, amount_cents, recovered_cents, RecoveryStatus(status))
    return moved_back(signed, to, balance, note="moved back")
