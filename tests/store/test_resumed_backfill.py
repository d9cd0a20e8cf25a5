"""A ledger from before restorations kept their ``resumed`` month opens with it backfilled:
the staff-filed restorations not rejected and the hub's own, never a rejected one."""

from __future__ import annotations

import json

from ledger_backends import Backend
from ledgerkit import hub_record, receipt, unsigned_message
from plankit import rewind

from certhub.hub.store import RecordKind
from certhub.hub.store.effects import Effects, HubRecord, ItemOpen
from certhub.hub.store.money import RESUMED_BACKFILL
from certhub.hub.store.tables import LADDER

STEP = 1 + [step.backfill for step in LADDER].index(RESUMED_BACKFILL)


async def test_earlier_restorations_resume_in_their_restore_from_month(
    ledger_factory: Backend,
) -> None:
    ledger = await ledger_factory.open()
    for n, restore_from in ((1, "2027-03-01"), (2, "2027-04-15")):  # filed by town staff
        filed = unsigned_message(
            n,
            kind=RecordKind.RESTORATION,
            message_type="restoration/v1",
            sender="town-1",
            payload=json.dumps({"restore_from": restore_from}).encode(),
            person_id="P1",
        )
        await ledger.append(filed, receipt, Effects(item=ItemOpen("restoration")))
    signed: HubRecord = hub_record(  # the hub's, on approving a restoration proposal
        3, message_type="restoration/v1", payload=b'{"restore_from": "2028-02-29"}'
    )
    await ledger.append(unsigned_message(3), receipt, Effects(outcomes=(signed,)))
    await ledger.aclose()
    await ledger_factory.execute(
        "UPDATE items SET status = 'rejected'"
        " WHERE item_id = (SELECT sequence FROM ledger WHERE message_id = 'm2')",
        "DELETE FROM benefit_months",  # and back to before the step that keeps them
        *rewind(STEP),  # the steps after it run again
    )

    ledger = await ledger_factory.open()
    assert await ledger.counted_months("P1", "resumed") == {"2027-03", "2028-02"}
    assert await ledger.counted_months("P1", "back_paid") == frozenset()
    await ledger.aclose()
