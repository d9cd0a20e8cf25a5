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

__all__ = ["Balance", "Released", "months_cut", "released"]


@dataclass(frozen=True, slots=True)
class Balance:
    """A task's overpayment balance as the ledger holds it before months are cut off."""

    months_count: int
    amount_cents: int
    recovered_cents: int
    status: RecoveryStatus


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


def _voided_whole(
    records: Sequence[tuple[str, Overpayment]],
    freed: tuple[str, ...],
    balance: Balance,
    *,
    note: str,
) -> Released:
    """Every record of ``records`` voided (``<id>:voided``), what was recovered of each
    (the balance's recovered total shared by amount) refunded: the cut when no month the
    overpayment counts is owed any more."""
    recovered_cents = balance.recovered_cents
    shares = allocate([cents(o.amount) for _, o in records], recovered_cents)
    whole = tuple(
        (f"{i}:voided", _part_of(o, *_ends_of(o), _voided_recovery(share, note)))
        for (i, o), share in zip(records, shares, strict=True)
    )
    voided = RecoveryStatus.voided
    return Released(
        whole,
        freed,
        balance.months_count,
        balance.amount_cents,
        recovered_cents,
        voided,
        recovered_cents,
    )


def _months_of(over: Overpayment) -> range:
    """The month indexes ``over`` counts."""
    return range(month_index(over.period_from), month_index(over.period_to) + 1)


def _part_of(over: Overpayment, first: int, last: int, update: dict[str, object]) -> Overpayment:
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


def _kept_recovery(
    over: Overpayment, share: int, written_off: bool, note: str
) -> dict[str, object]:
    """The fields of a record kept with ``share`` cents recovered (written off stays so)."""
    status = status_for(cents(over.amount), share)
    if written_off and status is not RecoveryStatus.recovered:
        status = RecoveryStatus.written_off
    return {"recovered_amount": yuan(share), "recovery_status": status, "remarks": note[:1000]}


_LAST = 10**6  # a month index after any a record counts


def released(
    records: Sequence[tuple[str, Overpayment]], released_on: date, balance: Balance, *, note: str
) -> Released | None:
    """What a release on ``released_on`` changes in a task's overpayment, whose records
    (message id, record as in force, in the order signed) are ``records``; None when no
    month it counts is after the release month, or it is voided already (nothing
    recovered any more)."""
    return months_cut(records, (month_index(released_on) + 1, _LAST), balance, note=note)


def months_cut(
    records: Sequence[tuple[str, Overpayment]],
    cut: tuple[int, int],
    balance: Balance,
    *,
    note: str,
) -> Released | None:
    """The months ``cut`` (first and last month index, a span at one end of what the
    records count: a release cuts the latest, a death moved back the earliest) taken off a
    task's overpayment whose records (message id, record as in force, in the order signed)
    are ``records``; None when no month it counts is in the span, or it is voided already.

    Recovery is spread over the records in the order signed, the months kept first: what
    was recovered beyond the months kept is what was taken of the months cut, refunded.
    A record with months on both sides is re-signed twice (``:released``, the months kept;
    ``:released:voided``, the months cut with their refund); every month cut, the balance
    is voided whole (:func:`_voided_whole`). Written off, what is kept stays written off.
    """
    first_cut, last_cut = cut
    gone_months = [m for _, o in records for m in _months_of(o) if first_cut <= m <= last_cut]
    if not gone_months or balance.status is RecoveryStatus.voided:
        return None
    freed = tuple(month_label(m) for m in gone_months)
    if len(gone_months) == sum(len(_months_of(o)) for _, o in records):
        return _voided_whole(records, freed, balance, note=note)
    cut_cents = sum(
        cents(o.monthly_amount)
        for _, o in records
        for m in _months_of(o)
        if first_cut <= m <= last_cut
    )
    amount = balance.amount_cents - cut_cents
    kept_recovered = min(balance.recovered_cents, amount)  # the months kept hold what they can
    refund = balance.recovered_cents - kept_recovered
    written_off = balance.status is RecoveryStatus.written_off
    kept = [(i, p) for i, o in records if (p := _kept_part(o, cut)) is not None]
    shares = allocate([cents(p.amount) for _, p in kept], kept_recovered)
    kept_of = {i: (p, share) for (i, p), share in zip(kept, shares, strict=True)}
    gone = [(i, p) for i, o in records if (p := _gone_part(o, cut)) is not None]
    refunds = allocate([cents(p.amount) for _, p in gone], refund)
    signed: list[tuple[str, Overpayment]] = []
    for (i, part), back in zip(gone, refunds, strict=True):
        if i in kept_of:
            keep, share = kept_of[i]
            recovery = _kept_recovery(keep, share, written_off, note)
            signed.append((f"{i}:released", _part_of(keep, *_ends_of(keep), recovery)))
        gone_part = _part_of(part, *_ends_of(part), _voided_recovery(back, note))
        signed.append((f"{i}:released:voided", gone_part))
    new_status = status_for(amount, kept_recovered)
    if written_off and new_status is not RecoveryStatus.recovered:
        new_status = RecoveryStatus.written_off  # what is left of the months kept stays so
    return Released(
        tuple(signed),
        freed,
        balance.months_count - len(gone_months),
        amount,
        kept_recovered,
        new_status,
        refund,
    )


def _ends_of(over: Overpayment) -> tuple[int, int]:
    """The first and last month indexes of ``over``."""
    return month_index(over.period_from), month_index(over.period_to)


_NOTHING: dict[str, object] = {
    "recovered_amount": Decimal("0.00"),
    "recovery_status": RecoveryStatus.pending,
}


def _kept_part(over: Overpayment, cut: tuple[int, int]) -> Overpayment | None:
    """The months of ``over`` outside the span ``cut`` (at one end: they are one run),
    nothing recovered yet; None when every month is cut."""
    (first, end), (first_cut, last_cut) = _ends_of(over), cut
    low, high = (
        (max(first, last_cut + 1), end) if first >= first_cut else (first, min(end, first_cut - 1))
    )
    return _part_of(over, low, high, _NOTHING) if low <= high else None


def _gone_part(over: Overpayment, cut: tuple[int, int]) -> Overpayment | None:
    """The months of ``over`` inside the span ``cut``, nothing recovered yet; None when
    there is none."""
    (first, end), (first_cut, last_cut) = _ends_of(over), cut
    low, high = max(first, first_cut), min(end, last_cut)
    return _part_of(over, low, high, _NOTHING) if low <= high else None


def _voided_recovery(share: int, note: str) -> dict[str, object]:
    """The fields of a record voided, ``share`` cents of it recovered (to refund)."""
    return {
        "recovered_amount": yuan(share),
        "recovery_status": RecoveryStatus.voided,
        "remarks": note[:1000],
    }
