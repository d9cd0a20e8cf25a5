"""An approved amendment whose record its department withdrew: the months it added are not
overpaid (rule 7, money safety).

An amendment approved at two levels moves a confirmed death earlier and recovers the months
between the two dates that were paid (:func:`~certhub.hub.rules.amendment.amend`). When the
department withdraws the record it rests on while the task's own records stand, the death
moves back to the date what remains supports: the months up to that date's month (the death
month is payable) are overpaid no more. Confirmed on the 3rd of M-2 while paid through M0
(M-1..M0 = 476.00), an amendment to the 3rd of M-3 added M-2 (238.00, 714.00 in all); its
record withdrawn, M-2 is cut: 476.00 again.

:func:`moved_back` says what changes, as a stated release does
(:func:`~certhub.hub.rules.release_refund.released`, whose result it returns): each
overpayment record with a month up to the restored death month re-signed — the months kept
(``<record>:released``) and the months cut, ``voided`` with what was recovered of them to
refund (``<record>:released:voided``); cut to nothing, the balance is voided whole
(``<record>:voided``). Recovery is spread over the records in the order signed (the
amendment's last), so what was recovered beyond the months kept is what was taken of the
months cut, and only that is refunded: of 714.00 with 476.00 recovered, nothing; with
714.00 recovered, 238.00.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from certhub.hub.rules.months import month_index, month_label
from certhub.hub.rules.recovery import allocate, cents, status_for
from certhub.hub.rules.release_refund import (
    NOTHING_RECOVERED,
    Released,
    ends_of,
    kept_recovery,
    months_of,
    part_of,
    voided_recovery,
    voided_whole,
)
from certhub.schemas import Overpayment, RecoveryStatus

__all__ = ["moved_back"]


def moved_back(
    records: Sequence[tuple[str, Overpayment]],
    event_date: date,
    *,
    months_count: int,
    amount_cents: int,
    recovered_cents: int,
    status: RecoveryStatus,
    note: str,
) -> Released | None:
    """What moving the death back to ``event_date`` changes in a task's overpayment, whose
    records (message id, record as in force, in the order signed) are ``records`` and whose
    balance is ``months_count`` months, ``amount_cents``, ``recovered_cents`` recovered,
    ``status``; None when no month it counts is up to the death month, or it is voided."""
    death = month_index(event_date)
    cut = [m for _, over in records for m in months_of(over) if m <= death]
    if not cut or status is RecoveryStatus.voided:
        return None
    freed = tuple(month_label(m) for m in cut)
    if len(cut) == sum(len(months_of(over)) for _, over in records):
        return voided_whole(records, freed, months_count, amount_cents, recovered_cents, note=note)
    cut_cents = sum(cents(o.monthly_amount) for _, o in records for m in months_of(o) if m <= death)
    amount = amount_cents - cut_cents
    kept_recovered = min(recovered_cents, amount)  # the months kept hold what they can
    refund = recovered_cents - kept_recovered
    written_off = status is RecoveryStatus.written_off
    kept = [(i, o) for i, o in records if month_index(o.period_to) > death]
    kept_parts = [
        part_of(o, max(ends_of(o)[0], death + 1), ends_of(o)[1], NOTHING_RECOVERED) for _, o in kept
    ]
    shares = allocate([cents(p.amount) for p in kept_parts], kept_recovered)
    kept_of = {i: (p, s) for (i, _), p, s in zip(kept, kept_parts, shares, strict=True)}
    gone = [(i, o) for i, o in records if month_index(o.period_from) <= death]
    gone_parts = [
        part_of(o, ends_of(o)[0], min(ends_of(o)[1], death), NOTHING_RECOVERED) for _, o in gone
    ]
    refunds = allocate([cents(p.amount) for p in gone_parts], refund)
    signed: list[tuple[str, Overpayment]] = []
    for (i, _), part, back in zip(gone, gone_parts, refunds, strict=True):
        if i in kept_of:
            keep, share = kept_of[i]
            recovery = kept_recovery(keep, share, written_off, note)
            signed.append((f"{i}:released", part_of(keep, *ends_of(keep), recovery)))
        signed.append(
            (f"{i}:released:voided", part_of(part, *ends_of(part), voided_recovery(back, note)))
        )
    new_status = status_for(amount, kept_recovered)
    if written_off and new_status is not RecoveryStatus.recovered:
        new_status = RecoveryStatus.written_off  # what is left of the months kept stays so
    return Released(
        tuple(signed), freed, months_count - len(cut), amount, kept_recovered, new_status, refund
    )
