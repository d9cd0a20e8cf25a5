"""A department's void of a record a 免办 certification rests on: the certification withdrawn.

The comparison certifies a person (免办) on the seen-alive records it cites. A void that no
verification task rests on may reach such a certification: the comparison records it as
its certification of the person failed (``certification_event/v1``, outcome ``failed``,
method ``data_comparison``, id :func:`~certhub.hub.rules.exempt.exempt_void_id`, remarks
naming the withdrawn record and the certification). Decided here (rule 8 reversed as
carefully as it was applied; money safety: a due month twelve months out pays 12 x the
pension without proof of life): while another record the certification cites stands, the
void is stored and changes nothing (audit ``certification_kept``); once every record it
cites is withdrawn, the certification stops counting — its register row out, the register
folded again from the certifications left (:func:`~certhub.hub.rules.cycle.fold`), in
the void's transaction (audit ``certification_withdrawn``; the person's latest
certification as read is checked first: ``conflict``, nothing stored). A void no counted
certification of the comparison cites is refused (``certification-not-cited``, nothing
stored). Last certified on the 15th of M-14 (due M-2), certified by the M-1 comparison on
a medical visit of the 5th of M-1 (due M+11), the visit voided in the M0 feed: due M-2
again, the person overdue, a restoration of the province's suspension refused.
"""

from __future__ import annotations

from datetime import date

from certhub.hub.procedure.context import ProcedureContext
from certhub.hub.rules.comparison import MACHINE_REPORTER, cited, withdrawn
from certhub.hub.rules.cycle import Certified, fold
from certhub.hub.rules.exempt import certification_named, exempt_void_id, still_stands
from certhub.hub.store.effects import AuditWrite, Effects
from certhub.hub.store.register_reads import RegisterCertificationRow
from certhub.hub.store.register_withdrawal import RegisterWithdrawal
from certhub.schemas import CertificationEvent, CertificationMethod, CertificationOutcome, Refusal
from certhub.security import VerifiedMessage

__all__ = ["citing_certifications", "plan_exempt_void"]


async def citing_certifications(
    ctx: ProcedureContext, person: str, voided: tuple[str, str]
) -> list[str]:
    """The message ids of the comparison's certifications of ``person`` counted in the
    register that cite the record ``voided`` (department, record id), in ledger order."""
    found = []
    for row in await ctx.store.register_certifications(person):
        if row.method != CertificationMethod.data_comparison.value:
            continue
        record = await ctx.store.get_record(row.sequence)
        if record is None or record.sender != MACHINE_REPORTER:
            continue
        event = CertificationEvent.model_validate_json(record.payload)
        if voided in {(s.department, s.record_id) for s in cited(event.remarks)}:
            found.append(record.message_id)
    return found


async def plan_exempt_void(
    ctx: ProcedureContext, message: VerifiedMessage, event: CertificationEvent
) -> Effects:
    """The effects of the comparison's void of a record the certification it names cites."""
    voided, named = withdrawn(event.remarks), certification_named(event.remarks)
    if (
        event.outcome is not CertificationOutcome.failed
        or event.method is not CertificationMethod.data_comparison
        or voided is None
        or named is None
        or message.jti != exempt_void_id(named, *voided)
    ):
        raise Refusal(
            "type-not-expected",
            "the comparison records a failed certification only as a department's void of a "
            "record its certification cites (remarks and message id naming both)",
        )
    person = event.person.id_number
    rows = await ctx.store.register_certifications(person)
    record = await ctx.store.find(MACHINE_REPORTER, named)
    counted = record is not None and any(r.sequence == record.sequence for r in rows)
    if (
        record is None
        or not counted
        or named not in await citing_certifications(ctx, person, voided)
    ):
        raise Refusal(
            "certification-not-cited",
            f"no certification of the person counted in the register rests on "
            f"{voided[0]}:{voided[1]} as {named}",
        )
    sources = cited(CertificationEvent.model_validate_json(record.payload).remarks)
    voids = {voided}
    for s in sources:  # the voids of its other records recorded before
        if await ctx.store.find(MACHINE_REPORTER, exempt_void_id(named, s.department, s.record_id)):
            voids.add((s.department, s.record_id))
    if still_stands(sources, voids):
        return Effects(audit=(AuditWrite("certification_kept", named, message.sender,
                                         message.digest),))  # fmt: skip
    withdrawal = _folded_without(person, record.sequence, rows)
    audit = AuditWrite("certification_withdrawn", named, message.sender, message.digest)
    return Effects(withdrawn=withdrawal, audit=(audit,))


def _folded_without(
    person: str, sequence: int, rows: list[RegisterCertificationRow]
) -> RegisterWithdrawal:
    """The register of ``person`` folded from ``rows`` but ``sequence`` (the cycle rule)."""
    left = [r for r in rows if r.sequence != sequence]
    state = fold(Certified(r.sequence, date.fromisoformat(r.certified_on)) for r in left)
    latest = max(r.sequence for r in rows)
    if state is None:
        return RegisterWithdrawal(person, sequence, latest, (), None, None, None)
    last = next(r for r in left if r.sequence == state.last.sequence)
    return RegisterWithdrawal(
        person,
        sequence,
        latest,
        links=state.links,
        last=(last.sequence, last.certified_on, last.method, last.channel),
        record=(state.record, state.record_month),
        due=state.due,
    )
