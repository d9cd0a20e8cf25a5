"""The ledger's money keys (issue 13) on both backends: counted once, whatever the code does."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from ledger_backends import Backend
from ledgerkit import T0, hub_record, receipt, refused, unsigned_message

from certhub.hub.store import NewMessage, RecordKind
from certhub.hub.store.effects import (
    BenefitClosure,
    Effects,
    EvidenceBinding,
    HubRecord,
    ItemOpen,
    MonthsClaim,
)
from certhub.hub.store.tables import LADDER


def created(statements: list[str], what: str) -> list[str]:
    """The tables (``what="TABLE"``) or indexes a schema step creates, in order."""
    words = [s.replace("IF NOT EXISTS ", "").split() for s in statements]
    return [w[2] for w in words if [x.upper() for x in w[:2]] == ["CREATE", what]]


def message(n: int, message_type: str = "decision/v1", payload: Any = None) -> NewMessage:
    return unsigned_message(
        n,
        received_at=T0 + timedelta(seconds=n),
        kind=RecordKind.CERTIFICATION,
        message_type=message_type,
        sender="town-1",
        payload=json.dumps(payload or {}).encode(),
        person_id="P1",
    )


def outcome(n: int, message_type: str, payload: dict[str, Any]) -> HubRecord:
    return hub_record(
        n,
        message_type=message_type,
        payload=json.dumps(payload).encode(),
        reason="death",
        period="2026-12",
    )


def recovered(*months: str, source: str = "t1") -> Effects:
    return Effects(months=(MonthsClaim("P1", "recovered", months, source),))


async def test_a_month_is_recovered_and_back_paid_at_most_once(ledger_factory: Backend) -> None:
    ledger = await ledger_factory.open()
    await ledger.append(message(1), receipt, recovered("2026-09", "2026-10", "2026-11"))
    await refused(
        ledger, message(2), recovered("2026-11", "2026-12", source="t2"), "months-already-counted"
    )
    assert await ledger.counted_months("P1", "recovered") == {"2026-09", "2026-10", "2026-11"}

    back = MonthsClaim("P1", "back_paid", ("2026-10", "2026-11"))  # this record's own sequence
    made = await ledger.append(
        message(3), receipt, Effects(item=ItemOpen("restoration"), months=(back,))
    )
    await refused(ledger, message(4), Effects(months=(back,)), "months-already-counted")
    source = str(made.record.sequence)
    await ledger.append(message(5), receipt, Effects(release_months=(source,)))  # rejected
    await ledger.append(message(6), receipt, Effects(months=(back,)))
    assert await ledger.counted_months("P1", "back_paid") == {"2026-10", "2026-11"}
    await ledger.aclose()


async def test_one_termination_per_person_and_one_person_per_photo(
    ledger_factory: Backend,
) -> None:
    ledger = await ledger_factory.open()
    await ledger.append(message(1), receipt, Effects(closure=BenefitClosure("P1", "death", "t1")))
    await refused(
        ledger, message(2), Effects(closure=BenefitClosure("P1", "death", "t2")), "conflict"
    )
    assert await ledger.closed_benefit("P1") == ("death", "t1")
    assert await ledger.closed_benefit("P2") is None

    photo = "ab" * 32
    await ledger.append(
        message(3), receipt, Effects(evidence_bindings=(EvidenceBinding(photo, "P1"),))
    )
    await ledger.append(
        message(4), receipt, Effects(evidence_bindings=(EvidenceBinding(photo, "P1"),))
    )
    other = Effects(evidence_bindings=(EvidenceBinding(photo, "P2"),))
    await refused(ledger, message(5), other, "evidence-other-person")
    await ledger.aclose()


async def test_a_ledger_from_before_the_keys_opens_with_them_backfilled(
    ledger_factory: Backend,
) -> None:
    ledger = await ledger_factory.open()
    overpaid = {"task_id": "t1", "period_from": "2026-09-01", "period_to": "2026-11-30"}
    twice = overpaid | {"task_id": "t2", "period_from": "2026-11-01"}  # an old double recovery
    terminated = {"reason": "death", "task_id": "t1"}
    records = (
        outcome(1, "overpayment/v1", overpaid),
        outcome(2, "overpayment/v1", twice),
        outcome(3, "termination/v1", terminated),
        outcome(4, "termination/v1", terminated | {"task_id": "t2"}),
    )
    await ledger.append(message(1), receipt, Effects(outcomes=records))
    photo = {"sha256": "cd" * 32, "kind": "onsite_photo", "media_type": "image/png"}
    cert = {"person": {"id_number": "P1"}, "evidence": [photo]}
    await ledger.append(message(2, "certification_event/v1", cert), receipt)
    await ledger.aclose()
    # back to the schema before the keys (version 2), with the records kept: the tables of
    # version 3 and of every later version go (newest first: later ones may refer to them)
    for step in reversed(LADDER[2:]):
        statements = step.statements("sqlite")
        for table in reversed(created(statements, "TABLE")):
            await ledger_factory.execute(f"DROP TABLE {table}")
        for index in created(statements, "INDEX"):  # on the older tables that stay
            await ledger_factory.execute(f"DROP INDEX IF EXISTS {index}")
    await ledger_factory.execute("DELETE FROM schema_version WHERE version >= 3")

    ledger = await ledger_factory.open()
    assert await ledger.counted_months("P1", "recovered") == {"2026-09", "2026-10", "2026-11"}
    assert await ledger.closed_benefit("P1") == ("death", "t1")
    other = Effects(evidence_bindings=(EvidenceBinding(photo["sha256"], "P2"),))
    await refused(ledger, message(3), other, "evidence-other-person")
    await ledger.aclose()
