"""The ids of an overpayment record's cuts: months taken off it, once or again.

A stated release or a death moved back cuts months off a task's overpayment records
(:func:`~certhub.hub.rules.release_refund.months_cut`): each record cut is re-signed, the
months kept ``<record>:released`` and the months cut ``<record>:released:voided`` with
what was recovered of them, refunded. A record can be cut again — a death moved back
twice, as the records joined to its termination are withdrawn one after another —: its
n-th cut is ``<record>:released:<n>`` and ``<record>:released:<n>:voided``, so no id is
signed twice (before, the second cut's ids were the first's: the ledger refused the void,
and the months stayed overpaid on a withdrawn record).
"""

from __future__ import annotations

from dataclasses import replace

from certhub.hub.procedure.context import ProcedureContext
from certhub.hub.rules.release_refund import Released
from certhub.hub.store.base import LedgerRecord
from certhub.schemas import Overpayment

__all__ = ["Cut", "cut_id", "cuts_of", "numbered_cut"]

Cut = tuple[LedgerRecord | None, LedgerRecord | None]
"""One cut of a record: its months kept, re-signed (None: none kept), and its months cut."""

_KEPT, _GONE = ":released", ":released:voided"


def cut_id(record_id: str, number: int, *, gone: bool) -> str:
    """The id of the ``number``-th cut (1, 2, …) of overpayment record ``record_id``: its
    months kept, or (``gone``) its months cut."""
    kept = f"{record_id}{_KEPT}" if number == 1 else f"{record_id}{_KEPT}:{number}"
    return f"{kept}:voided" if gone else kept


async def cuts_of(ctx: ProcedureContext, record_id: str) -> list[Cut]:
    """(months kept, months cut) of each cut of overpayment record ``record_id``, in order."""
    found: list[Cut] = []
    hub = ctx.outcomes.hub_id
    while True:
        number = len(found) + 1
        kept = await ctx.store.find(hub, cut_id(record_id, number, gone=False))
        gone = await ctx.store.find(hub, cut_id(record_id, number, gone=True))
        if kept is None and gone is None:
            return found
        found.append((kept, gone))


async def numbered_cut(ctx: ProcedureContext, cut: Released) -> Released:
    """``cut`` with each record it re-signs named for that record's next cut."""
    named: list[tuple[str, Overpayment]] = []
    for message_id, record in cut.records:
        for suffix, gone in ((_GONE, True), (_KEPT, False)):
            if message_id.endswith(suffix):
                original = message_id.removesuffix(suffix)
                number = len(await cuts_of(ctx, original)) + 1
                message_id = cut_id(original, number, gone=gone)  # noqa: PLW2901 - renamed
                break
        named.append((message_id, record))
    return replace(cut, records=tuple(named))
