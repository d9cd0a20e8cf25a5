"""The overpayment side of a message's effects: what is owed, recovered, extended or cut.

Plain records like the rest of :mod:`certhub.hub.store.effects`, applied by the store in
the ledger record's transaction; each change is guarded by the balance the planner read, so
a concurrent change fails the whole message instead of overwriting it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class OverpaymentWrite:
    """An overpayment to recover, for statistics by period and region."""

    task_id: str
    person_id: str
    county: str
    period: str
    months: int
    amount: str


@dataclass(frozen=True, slots=True)
class RecoveryWrite:
    """A sum recovered against a task's overpayment, keyed by this message's ledger record."""

    task_id: str
    amount_cents: int
    source: str
    recovered_on: str  # ISO date
    reference: str | None  # a bank serial or receipt number: recorded once


@dataclass(frozen=True, slots=True)
class OverpaymentChange:
    """Move a task's overpayment balance on, if it still holds ``expected_recovered_cents``.

    ``step`` says what happens: ``recovered`` (the total becomes
    ``recovered_cents`` with ``status``), ``write_off_requested`` (this message is
    the request under review), ``write_off_rejected`` or ``write_off_approved``
    (for request ``item_id``), ``voided`` (the termination was voided: nothing more
    is recovered, what was is refunded). ``expected_amount_cents``, when given, guards
    ``recovered`` and ``write_off_approved`` by the amount too: an amendment, a late
    roster entry or a release may grow or cut it between planning and writing.
    """

    task_id: str
    step: str
    expected_recovered_cents: int
    recovered_cents: int
    status: str
    item_id: int | None = None
    expected_amount_cents: int | None = None


@dataclass(frozen=True, slots=True)
class OverpaymentExtension:
    """More months added to a task's overpayment (its death moved earlier by an approved
    amendment): the row's months and amount, and the balance's status, each guarded by
    what the planner read (refused when the balance moved meanwhile). ``reopens``: the
    balance is voided and owes nothing, so they are all it owes — opened again from that
    period, nothing recovered (what was, was refunded)."""

    task_id: str
    months: int
    amount_cents: int
    expected_amount_cents: int
    expected_recovered_cents: int
    status: str
    reopens: str | None = None


@dataclass(frozen=True, slots=True)
class OverpaymentReduction:
    """Months taken off a task's overpayment (a release stated after an imprisonment: they
    were payable): the row's new months and amount, the balance's recovered total (what
    was recovered beyond the months kept is refunded) and status, each guarded by what the
    planner read; the ``months`` (``YYYY-MM``) the task claimed are recovered no more."""

    task_id: str
    person_id: str
    months: tuple[str, ...]
    months_count: int
    amount_cents: int
    expected_amount_cents: int
    expected_recovered_cents: int
    recovered_cents: int
    status: str
