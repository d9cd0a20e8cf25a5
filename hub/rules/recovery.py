"""Recovering an overpayment: who may record money, how much fits, what a write-off needs.

Pure rules over an :class:`OverpaymentState` (the ledger's running total for
one verification task's overpayment). Sums are integer cents throughout: a
balance computed in floating point would drift by a cent sooner or later.

* A recovery is recorded by county staff (the reviewer, or the staff who
  determine benefits and so handle payments); it may not exceed what remains
  and not predate the overpaid period.
* What cannot be recovered is written off only by a request for exactly the
  remaining sum, accepted and approved by two other people (the two-level
  review of :mod:`certhub.hub.rules.decisions`); money recovered after the
  request makes it stale, and its approval is refused.
* Progress is fed back upwards as the overpayment records themselves,
  re-signed with what was recovered: :func:`allocate` spreads the recovered
  total over a task's overpayment records (several when months were paid
  again after an earlier recovery) in order, oldest first.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Final

from certhub.schemas import OverpaymentRecovery, RecoveryStatus, Refusal, Role, WriteOffRequest

RECORDING_ROLES: Final = frozenset({Role.county_reviewer, Role.benefit_determiner})
"""Who records money recovered and asks for a write-off: the county agency's staff."""

OPEN: Final = frozenset({RecoveryStatus.pending, RecoveryStatus.partially_recovered})


@dataclass(frozen=True, slots=True)
class OverpaymentState:
    """One task's overpayment as the ledger holds it (amounts in cents)."""

    task_id: str
    amount_cents: int
    recovered_cents: int
    status: RecoveryStatus
    period_from: date
    write_off_item: int | None = None  # the write-off request under review, if any

    @property
    def remaining_cents(self) -> int:
        """What is still to be recovered (zero once recovered or written off)."""
        if self.status in (RecoveryStatus.written_off, RecoveryStatus.voided):
            return 0
        return self.amount_cents - self.recovered_cents


def cents(amount: Decimal) -> int:
    """``amount`` (a two-decimal money value) in whole cents, exactly."""
    scaled = amount * 100
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} has fractions of a cent")
    return int(scaled)


def yuan(amount_cents: int) -> Decimal:
    """Whole cents as a two-decimal money value."""
    return (Decimal(amount_cents) / 100).quantize(Decimal("0.01"))


def status_for(amount_cents: int, recovered_cents: int) -> RecoveryStatus:
    """The recovery status a running total implies (never ``written_off``)."""
    if recovered_cents == 0:
        return RecoveryStatus.pending
    if recovered_cents < amount_cents:
        return RecoveryStatus.partially_recovered
    return RecoveryStatus.recovered


def record_recovery(
    state: OverpaymentState, recovery: OverpaymentRecovery, role: Role
) -> OverpaymentState:
    """The state after ``recovery``, or a :class:`Refusal` naming the broken rule."""
    _require_recording_role(role, "record a recovery")
    _require_open(state)
    amount = cents(recovery.amount)
    if amount > state.remaining_cents:
        raise Refusal(
            "recovery-exceeds-balance",
            f"{recovery.amount} exceeds what remains of the overpayment of task "
            f"{state.task_id} ({yuan(state.remaining_cents)})",
        )
    if recovery.recovered_on < state.period_from:
        raise Refusal(
            "recovery-date-invalid",
            f"recovered_on {recovery.recovered_on} is before the overpaid period "
            f"(from {state.period_from})",
        )
    total = state.recovered_cents + amount
    return replace(state, recovered_cents=total, status=status_for(state.amount_cents, total))


def request_write_off(
    state: OverpaymentState, request: WriteOffRequest, role: Role
) -> OverpaymentState:
    """Check a write-off request; the state it leaves under review (item set by the store)."""
    _require_recording_role(role, "ask for a write-off")
    _require_open(state)
    if state.write_off_item is not None:
        raise Refusal(
            "write-off-pending",
            f"write-off request {state.write_off_item} for task {state.task_id} is under review",
        )
    if cents(request.amount) != state.remaining_cents:
        raise Refusal(
            "write-off-amount-mismatch",
            f"a write-off covers exactly what remains ({yuan(state.remaining_cents)}), "
            f"not {request.amount}",
        )
    return state


def approve_write_off(
    state: OverpaymentState, request: WriteOffRequest, item_id: int, approver: str
) -> OverpaymentState:
    """The state once write-off ``item_id`` is approved, re-checked on today's balance."""
    if approver == request.actor.id:
        raise Refusal(
            "same-actor", f"{approver!r} asked for write-off {item_id} and may not approve it"
        )
    if state.write_off_item != item_id or state.status not in OPEN:
        raise Refusal(
            "write-off-stale", f"write-off {item_id} no longer applies to task {state.task_id}"
        )
    if cents(request.amount) != state.remaining_cents:
        raise Refusal(
            "write-off-stale",
            f"money was recovered after write-off {item_id} was asked for: "
            f"{yuan(state.remaining_cents)} remains, not {request.amount}; reject it and ask again",
        )
    return replace(state, status=RecoveryStatus.written_off, write_off_item=None)


def allocate(amounts_cents: list[int], recovered_cents: int) -> list[int]:
    """The recovered total spread over overpayment records of ``amounts_cents``, oldest first."""
    shares: list[int] = []
    left = recovered_cents
    for amount in amounts_cents:
        share = min(amount, left)
        shares.append(share)
        left -= share
    if left:
        raise ValueError("recovered more than the overpayments amount to")
    return shares


def _require_recording_role(role: Role, what: str) -> None:
    if role not in RECORDING_ROLES:
        raise Refusal("role-not-permitted", f"role {role.value!r} may not {what}")


def _require_open(state: OverpaymentState) -> None:
    if state.status not in OPEN:
        raise Refusal(
            "overpayment-settled",
            f"the overpayment of task {state.task_id} is {state.status.value}; nothing remains",
        )
