"""The ledger's role for a roster import's late pass: the months an imported entry shows
paid, claimed with no ledger record of their own (:mod:`~certhub.hub.procedure.roster_late_import`;
every ledger's through :class:`~certhub.hub.store.register_writes.RegisterWriting`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from certhub.hub.store.effects import MonthsClaim

__all__ = ["ImportedMonths"]


class ImportedMonths(Protocol):
    """Months a roster import shows paid after a stated end of sentence, claimed when the
    import adds no overpayment to carry them."""

    async def claim_imported_months(
        self, claims: Sequence[MonthsClaim], roster: bytes, actor: str
    ) -> int:
        """Claim ``claims`` read from the imported entry ``roster`` (as stored) unless it
        changed meanwhile or a month is claimed already: how many months were."""
        ...
