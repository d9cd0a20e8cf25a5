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
(:func:`~certhub.hub.rules.release_refund.months_cut`, written once for both): each
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

from certhub.hub.rules.months import month_index
from certhub.hub.rules.release_refund import Balance, Released, months_cut
from certhub.schemas import Overpayment

__all__ = ["moved_back"]


def moved_back(
    records: Sequence[tuple[str, Overpayment]], event_date: date, balance: Balance, *, note: str
) -> Released | None:
    """What moving the death back to ``event_date`` changes in a task's overpayment, whose
    records (message id, record as in force, in the order signed) are ``records``; None
    when no month it counts is up to the death month, or it is voided."""
    return months_cut(records, (0, month_index(event_date)), balance, note=note)
