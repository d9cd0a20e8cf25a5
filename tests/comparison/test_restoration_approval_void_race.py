"""The county's approval of a restoration proposal resting on a 免办 certification and the
department's void of that certification, at once: the second to commit is refused (409
``conflict``, nothing stored). SQLite and PostgreSQL. 238.00 a month.

Last certified in the app on the 15th of M(-15) (due M(-3)), suspended by the hub on the
approved proposal from the 1st of M(-2) (paid through M(-3)). The M(-1) comparison
certifies the pensioner on health's medical visit of the 5th of M(-1) and the restoration
proposal it opens is accepted by town staff. The county's approval is planned (back pay
M(-2)..M(-1) = 2 x 238.00 = 476.00, resumed M(0), on a certification that counts); before
it commits, the M(0) comparison records health's void of the visit (the certification
withdrawn, due M(-3) again: no proof of life since M(-15)). The void is recorded as the
run records it (``exempt_void``) through the hub's own ledger: a run's CLI cannot open a
SQLite ledger a hub holds.

Before, the approval committed: ``restoration/v1`` signed, 476.00 back pay and 238.00 a
month from M(0) to a pensioner with no proof of life for 15 months. Now it is refused
(``conflict``), nothing stored; the proposal stays open and its approval is then
``restoration-other-suspension`` (no certification ends the suspension).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from aiohttp import web
from comparisonkit import ComparisonCase
from latekit import label
from notcertifiedkit import certified_by_the_comparison, open_proposals
from procedurekit import today
from racekit import CONFLICT, DECISION
from reversalkit import outcomes

from certhub.hub.comparison.exempt_voids import exempt_void
from certhub.hub.comparison.recording import comparison_sender
from certhub.hub.core.keys import PIPELINE, PROCEDURE, STORE
from certhub.hub.ingress.inbound import InboundIngestor, InboundSender
from certhub.hub.procedure.comparison import plan_comparison
from certhub.hub.procedure.context import ProcedureContext
from certhub.hub.rules.months import month_index
from certhub.hub.store.effects import NO_EFFECTS, Effects
from certhub.hub.store.records import NewMessage


def _now() -> int:
    return month_index(today())


@dataclass(frozen=True)
class _Recorder:
    """The run's recording, on a started hub's ledger (exempt_voids.Recorder)."""

    sender: InboundSender
    ingestor: InboundIngestor
    procedure: ProcedureContext


async def _void(app: web.Application, number: str) -> str:
    """Health's void, on the 1st of M(0), of the medical visit H1: recorded as a run does."""
    plan = partial(plan_comparison, app[PROCEDURE])
    ingestor = InboundIngestor(app[PIPELINE], app[STORE], plan)
    recorder = _Recorder(await comparison_sender(app), ingestor, app[PROCEDURE])
    reversal = {"id_number": number, "department": "health", "voided_record_id": "H1",
                "void_record_id": "V1", "void_date": f"{label(0)}-01"}  # fmt: skip
    return await exempt_void(recorder, label(0), reversal)


async def test_a_void_committing_before_the_approval_refuses_it(
    ledger_url: str | None, tmp_path: Path, aiohttp_client: Any
) -> None:
    case = ComparisonCase.one_person(tmp_path, 47, ledger_url)
    number = case.person["id_number"]
    await certified_by_the_comparison(case, aiohttp_client)
    office = await case.office(aiohttp_client)
    store = office.client.app[STORE]
    (proposal,) = await open_proposals(office)
    item = int(proposal["sequence"])
    assert (await office.decide("restoration-proposals", item, "town-1", "accept"))[0] == 202
    original, voided = store.append, []

    async def void_first(message: NewMessage, receipt_for: Any, fx: Effects = NO_EFFECTS) -> Any:
        if message.message_type == DECISION and not voided:  # the approval, planned
            voided.append(await _void(office.client.app, number))  # commits first
        return await original(message, receipt_for, fx)

    store.append = void_first
    before = await office.ledger_size()
    try:
        status, body = await office.decide("restoration-proposals", item, "county-1", "approve")
    finally:
        store.append = original
    assert voided == ["certification_withdrawn"]
    after = await office.ledger_size()
    assert (status, body["type"]) == (409, CONFLICT), body  # before: 202, 476.00 paid back
    assert await outcomes(office, "restoration/v1") == []
    assert after == before + 1  # the void's record only: nothing of the approval's
    assert await store.counted_months(number, "back_paid") == set()
    row = await store.register_person(number)
    assert row is not None
    assert row.due_month == _now() - 3  # no proof of life since M(-15)
    status, body = await office.decide("restoration-proposals", item, "county-1", "approve")
    assert (status, body["type"]) == (409, "urn:certhub:problem:restoration-other-suspension")
    await office.client.close()
