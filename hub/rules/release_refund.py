"""A release stated after an imprisonment confirmed while the roster was paid: the months
after the release month were never prison months (rule 7, money safety).

An imprisonment confirmed with no end of sentence stated — or with an end later than the
person actually came out — makes every paid month after the event month an overpayment
(:func:`~certhub.hub.rules.disposal.overpaid`): confirmed on 2026-03-10 while the roster
paid through 2026-11, 2026-04..11 (8 x 238.00 = 1,904.00) are recovered. When staff state
the release on the restoration (``released_on``,
:func:`~certhub.hub.rules.restoration_findings.check_release`) and the county approves it,
the months after the release month were payable — the person was entitled to them — and
are recovered no more: released on 2026-05-31, the overpayment is 2026-04..05 = 476.00,
and of 714.00 recovered by then 238.00 is refunded (months are recovered oldest first, so
what was recovered beyond the months kept is what was taken of the months cut).

:func:`released` says what changes: each overpayment record with a month after the
release month re-signed — the months kept (``<record>:released``) and the months cut,
``voided`` with what was recovered of them to refund (``<record>:released:voided``); a
record with every month cut is voided whole (``<record>:voided``, as a voided
termination's). The balance keeps the months up to the release month, its recovered total
what of it was recovered (the rest refunded); cut to nothing, it is voided, its recovered
total the refund. The months cut are freed in the ledger (a later finding may recover
them, never twice).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from certhub.hub.rules.months import last_day_of_month, month_index, month_label, parse_month
from certhub.hub.rules.recovery import allocate, cents, status_for, yuan
from certhub.schemas import Overpayment, RecoveryStatus

__all__ = [
    "NOTHING_RECOVERED",
    "Released",
    "ends_of",
    "kept_recovery",
    "months_of",
    "part_of",
    "released",
    "voided_recovery",
    "voided_whole",
]


@dataclass(frozen=True, slots=True)
class Released:
    """What a stated release changes in one task's overpayment.

    ``records`` are the overpayment records to sign, (message id, record); ``months`` the
    months no longer recovered (``YYYY-MM``); ``amount_cents``/``months_count`` the
    balance's new amount and months (unchanged when voided), ``recovered_cents`` its new
    recovered total, ``status`` its status, ``refund_cents`` what is refunded.
    """

    records: tuple[tuple[str, Overpayment], ...]
    months: tuple[str, ...]
    months_count: int
    amount_cents: int
    recovered_cents: int
    status: RecoveryStatus
    refund_cents: int

    @property
    def cut_cents(self) -> int:
        """The sum no longer overpaid."""
        return sum(cents(o.amount) for i, o in self.records if i.endswith(":voided"))


def voided_whole(
    records: Sequence[tuple[str, Overpayment]],
    freed: tuple[str, ...],
    months_count: int,
    amount_cents: int,
    recovered_cents: int,
    *,
    note: str,
) -> Released:
    """Every record of ``records`` voided (``<id>:voided``), what was recovered of each
    (``recovered_cents`` shared by amount) refunded: the cut when no month the overpayment
    counts is owed any more."""
    shares = allocate([cents(o.amount) for _, o in records], recovered_cents)
    whole = tuple(
        (f"{i}:voided", part_of(o, *ends_of(o), voided_recovery(share, note)))
        for (i, o), share in zip(records, shares, strict=True)
    )
    voided = RecoveryStatus.voided
    return Released(
        whole, freed, months_count, amount_cents, recovered_cents, voided, recovered_cents
    )


def months_of(over: Overpayment) -> range:
    """The month indexes ``over`` counts."""
    return range(month_index(over.period_from), month_index(over.period_to) + 1)


def part_of(over: Overpayment, first: int, last: int, update: dict[str, object]) -> Overpayment:
    """Months ``first``..``last`` of ``over`` (indexes), with ``update``'s fields."""
    months = last - first + 1
    changed = over.model_copy(
        update={
            "period_from": parse_month(month_label(first)),
            "period_to": last_day_of_month(parse_month(month_label(last))),
            "months": months,
            "amount": over.monthly_amount * months,
            **update,
        }
    )
    return Overpayment.model_validate(changed.model_dump())


def kept_recovery(over: Overpayment, share: int, written_off: bool, note: str) -> dict[str, object]:
    """The fields of a record kept with ``share`` cents recovered (written off stays so)."""
    status = status_for(cents(over.amount), share)
    if written_off and status is not RecoveryStatus.recovered:
        status = RecoveryStatus.written_off
    return {"recovered_amount": yuan(share), "recovery_status": status, "remarks": note[:1000]}


def released(
    records: Sequence[tuple[str, Overpayment]],
    released_on: date,
    *,
    months_count: int,
    amount_cents: int,
    recovered_cents: int,
    status: RecoveryStatus,
    note: str,
) -> Released | None:
    """What a release on ``released_on`` changes in a task's overpayment, whose records
    (message id, record as in force, in the order signed) are ``records`` and whose
    balance is ``months_count`` months, ``amount_cents``, ``recovered_cents`` recovered,
    ``status``; None when no month it counts is after the release month, or it is voided
    already (nothing recovered any more)."""
    last = month_index(released_on)
    cut = [m for _, over in records for m in months_of(over) if m > last]
    if not cut or status is RecoveryStatus.voided:
        return None
    freed = tuple(month_label(m) for m in cut)
    written_off = status is RecoveryStatus.written_off
    if all(m > last for _, over in records for m in months_of(over)):
        # nothing was a prison month after all: void it, as a voided termination's
        return voided_whole(records, freed, months_count, amount_cents, recovered_cents, note=note)
    cut_cents = sum(cents(o.monthly_amount) for _, o in records for m in months_of(o) if m > last)
    amount = amount_cents - cut_cents
    kept_recovered = min(recovered_cents, amount)
    refund = recovered_cents - kept_recovered
    kept = [(i, o) for i, o in records if month_index(o.period_from) <= last]
    kept_shares = allocate([cents(_kept(o, last).amount) for _, o in kept], kept_recovered)
    share_of = dict(zip((i for i, _ in kept), kept_shares, strict=True))
    gone = [(i, o) for i, o in records if month_index(o.period_to) > last]
    gone_parts = [_cut(o, last) for _, o in gone]
    refunds = allocate([cents(p.amount) for p in gone_parts], refund)
    signed: list[tuple[str, Overpayment]] = []
    for (i, o), part, back in zip(gone, gone_parts, refunds, strict=True):
        if i in share_of:
            keep = _kept(o, last)
            recovery = kept_recovery(keep, share_of[i], written_off, note)
            signed.append((f"{i}:released", part_of(keep, *ends_of(keep), recovery)))
        gone_part = part_of(part, *ends_of(part), voided_recovery(back, note))
        signed.append((f"{i}:released:voided", gone_part))
    new_status = status_for(amount, kept_recovered)
    if written_off and new_status is not RecoveryStatus.recovered:
        new_status = RecoveryStatus.written_off  # what is left of the months kept stays so
    return Released(
        tuple(signed),
        freed,
        months_count - len(cut),
        amount,
        kept_recovered,
        new_status,
        refund,
    )


def ends_of(over: Overpayment) -> tuple[int, int]:
    """The first and last month indexes of ``over``."""
    return month_index(over.period_from), month_index(over.period_to)


NOTHING_RECOVERED: dict[str, object] = {
    "recovered_amount": Decimal("0.00"),
    "recovery_status": RecoveryStatus.pending,
}


def _kept(over: Overpayment, last: int) -> Overpayment:
    """The months of ``over`` up to month ``last``, nothing recovered yet."""
    first, end = ends_of(over)
    return part_of(over, first, min(end, last), NOTHING_RECOVERED)


def _cut(over: Overpayment, last: int) -> Overpayment:
    """The months of ``over`` after month ``last``, nothing recovered yet."""
    first, end = ends_of(over)
    return part_of(over, max(first, last + 1), end, NOTHING_RECOVERED)


def voided_recovery(share: int, note: str) -> dict[str, object]:
    """The fields of a record voided, ``share`` cents of it recovered (to refund)."""
    return {
        "recovered_amount": yuan(share),
        "recovery_status": RecoveryStatus.voided,
        "remarks": note[:1000],
    }
