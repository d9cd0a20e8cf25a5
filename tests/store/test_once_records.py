"""A record the hub signs once (``HubRecord.once``), planned by two messages: the first
stores it, the second is stored without it, one by one and in bulk, on every backend.

The restoration proposal a certification opens after the hub's suspension for
non-certification is one per suspension (``restoration-proposal:<suspension>``). Two
certifications of the pensioner planned before either commits both carry it. Before, the
second hit the proposal's unique id: one by one it was refused (``conflict``: a valid
certification not stored), in a bulk (the comparison's one-by-one planned people) the
whole batch failed. Now the message is stored, the record and its item once: 3 records
(two certifications, one proposal), then 4 with a bulk's third certification.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ledgerkit import hub_record, unsigned_message

from certhub.hub.store import RecordKind
from certhub.hub.store.bulk_append import BulkMessage
from certhub.hub.store.effects import Effects, ItemOpen

if TYPE_CHECKING:  # the fixture's class; conftest modules are not importable by name
    from conftest import Backend

PROPOSAL = "restoration-proposal:suspension:1"


def _certified(n: int) -> tuple[object, Effects]:
    """Certification ``n`` of P1 and its effects: the proposal, signed at its planning."""
    message = unsigned_message(
        n, kind=RecordKind.CERTIFICATION, message_type="certification_event/v1",
        sender="channel", person_id="P1",
    )  # fmt: skip
    proposal = hub_record(
        n, message_type="restoration_proposal/v1", message_id=PROPOSAL,
        item=ItemOpen("restoration_proposal", False), once=True,
    )  # fmt: skip
    return message, Effects(outcomes=(proposal,))


async def test_a_record_signed_once_is_stored_once(ledger_factory: Backend) -> None:
    ledger = await ledger_factory.open()
    try:
        for n in (1, 2):
            message, effects = _certified(n)
            outcome = await ledger.append(message, lambda _sequence: "", effects)
            assert outcome.created
        assert await ledger.count() == 3  # two certifications, one proposal
        message, effects = _certified(3)
        (outcome,) = await ledger.append_many([BulkMessage(message, effects)])
        assert outcome.created, outcome
        assert await ledger.count() == 4
        stored = await ledger.find("hub", PROPOSAL)
        assert stored is not None
        assert stored.jws == b"hub-1"  # the first one's
        fresh = replace(effects.outcomes[0], message_id="restoration-proposal:suspension:2")
        (outcome,) = await ledger.append_many(
            [BulkMessage(unsigned_message(4, sender="channel"), Effects(outcomes=(fresh,)))]
        )
        assert outcome.created
        assert await ledger.count() == 6  # not stored yet: stored
    finally:
        await ledger.aclose()
