"""A missing person found to have been in prison: the months the disappearance counted that
were prison months are recovered by the imprisonment (rule 6, money safety).

A disappearance confirmed while the roster was paid up to date recovers every paid month
after the event month; an imprisonment confirmed after it over the same months recovers
none of them (a month is recovered once). The restoration that ends the disappearance (the
person found, :func:`~certhub.hub.procedure.reversals.disappearance_ended`) voids its
overpayment — the months missing were owed — and ends the imprisonment too: but the months
after the imprisonment's month through the sentence's end (the release the restoration
states, else the end the confirmation stated) were prison months, paid to a prisoner.
Approving it adds them to the imprisonment's overpayment
(:func:`~certhub.hub.procedure.releases.prison_months_added`), claimed by (person, month):
what the disappearance recovered of them is refunded with the rest, and the imprisonment's
balance recovered from nothing (as a finding after a voided termination's). Missing since
the 2nd of M-6 (M-5..M-1 = 1,190.00), jailed on the 10th of M-6 with the sentence to the last
day of M-3: the disappearance's 1,190.00 voided, the imprisonment's M-5..M-3 = 714.00 opened.
A release later than the stated end is the release's own rule
(:func:`~certhub.hub.procedure.releases.release_refunds`, given the same months).
"""

from __future__ import annotations

from certhub.hub.procedure.context import ProcedureContext
from certhub.hub.procedure.releases import prison_months_added
from certhub.hub.procedure.reversals import hub_findings
from certhub.hub.rules.restoration_findings import served_until
from certhub.hub.store.effects import Effects
from certhub.schemas import Restoration, SuspensionReason

__all__ = ["found_in_prison"]


async def found_in_prison(
    ctx: ProcedureContext,
    effects: Effects,
    restoration: Restoration,
    item_id: int,
    *,
    missing: str,
    freed: frozenset[str],
) -> Effects:
    """``effects`` of approving restoration ``item_id``, which ends disappearance ``missing``
    whose overpayment counted ``freed``, with each standing imprisonment's prison months
    among them added to its overpayment (one released later than its stated end is left to
    :func:`~certhub.hub.procedure.releases.release_refunds`)."""
    day = restoration.released_on
    person = restoration.person.id_number
    suspensions = (await hub_findings(ctx, person)).suspensions
    for found in suspensions:
        if found.reason is not SuspensionReason.imprisonment:
            continue
        until = served_until(found, suspensions, day)
        if until is None:  # pragma: no cover - the restoration's check refused it
            continue
        if found.until is not None and found.until < until:
            continue  # a later release: release_refunds took them with the months it adds
        note = (
            f"disappearance of task {missing} ended (restoration {item_id} approved): the "
            f"months it counted through {until.isoformat()} were prison months"
        )
        effects = await prison_months_added(
            ctx, effects, found, until, item_id, freed=freed, note=note
        )
    return effects
