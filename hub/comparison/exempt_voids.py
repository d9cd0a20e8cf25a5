"""A run's void that no task rests on → the void of each 免办 certification citing the record.

The comparison certified people (免办) on seen-alive records; a department's void of one
reaches no verification task, but it may take away what a certification rests on. For
each of the person's certifications of the comparison counted in the register that cites
the withdrawn record, the comparison records the void once for that certification (a
failed ``certification_event/v1``, :mod:`certhub.hub.procedure.exempt_withdrawn` decides
what it does): ``certification_withdrawn`` when no record it cites stands any more,
``certification_kept`` while one does, ``no_task`` when none cites it (nothing recorded).
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from typing import Any, Protocol

from certhub.hub.comparison.certify import ADAPTER_NAME, NOON
from certhub.hub.ingress.inbound import InboundIngestor, InboundSender
from certhub.hub.procedure.context import ProcedureContext
from certhub.hub.procedure.exempt_withdrawn import citing_certifications
from certhub.hub.rules.comparison import MACHINE_REPORTER, void_text
from certhub.hub.rules.exempt import exempt_void_id, exempt_void_remarks
from certhub.schemas import (
    CertificationEvent,
    CertificationMethod,
    CertificationOutcome,
    ChannelKind,
    Refusal,
    mask_ids_in_text,
)

__all__ = ["Recorder", "exempt_void"]


class Recorder(Protocol):
    """What the run's recording holds: the comparison's sender, its way in, the planners'."""

    @property
    def sender(self) -> InboundSender:
        """The comparison as an inbound sender (``adapter:comparison``)."""
        ...

    @property
    def ingestor(self) -> InboundIngestor:
        """The inbound path its messages take."""
        ...

    @property
    def procedure(self) -> ProcedureContext:
        """The planners' context (the ledger's reads)."""
        ...


async def exempt_void(recorder: Recorder, period: str, reversal: dict[str, Any]) -> str:
    """Record the void ``reversal`` (a row of the run's ``reversals.json``) for each
    certification it reaches; the run's outcome for it (printed when refused)."""
    ingestor, sender, ctx = recorder.ingestor, recorder.sender, recorder.procedure
    voided = (reversal["department"], reversal["voided_record_id"])
    outcome = "no_task"
    for named in await citing_certifications(ctx, reversal["id_number"], voided):
        record = await ctx.store.find(MACHINE_REPORTER, named)
        mid = exempt_void_id(named, *voided)
        if record is None or await ctx.store.find(sender.sender, mid) is not None:
            outcome = "already"
            continue
        certification = CertificationEvent.model_validate_json(record.payload)
        try:
            await ingestor.ingest(sender, _void_event(period, reversal, certification, named), mid)
        except Refusal as exc:  # a conflict: the period's next run records it
            print(f"certhub: refused {mid}: {mask_ids_in_text(str(exc))}", file=sys.stderr)
            outcome = "refused"
            continue
        left = await citing_certifications(ctx, reversal["id_number"], voided)
        outcome = "certification_kept" if named in left else "certification_withdrawn"
    return outcome


def _void_event(
    period: str, reversal: dict[str, Any], certification: CertificationEvent, named: str
) -> CertificationEvent:
    """The comparison's void of the record ``reversal`` withdraws, for ``named``."""
    day = date.fromisoformat(str(reversal["void_date"]))
    text = void_text(
        period, reversal["department"], reversal["void_record_id"], reversal["voided_record_id"]
    )
    return CertificationEvent(
        person=certification.person,
        method=CertificationMethod.data_comparison,
        channel=certification.channel.model_copy(
            update={"kind": ChannelKind.department_data, "code": ADAPTER_NAME}
        ),
        outcome=CertificationOutcome.failed,
        occurred_at=min(datetime.combine(day, NOON), datetime.now(UTC)),
        remarks=exempt_void_remarks(text, named),
    )
