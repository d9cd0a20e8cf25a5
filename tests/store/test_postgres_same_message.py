"""One message pushed to two hub processes at the same instant: one record, one receipt.

Each process has its own group commit; the writers' lock orders them. The one
that comes second finds the row and answers its receipt (a duplicate), or, for
other bytes under the same message id, a replay refusal — never a second row,
never an error.
"""

from __future__ import annotations

import asyncio
import dataclasses

from ledgerkit import receipt, unsigned_message

from certhub.hub.store import ReplayConflict
from certhub.hub.store.audit_chain import first_broken
from certhub.hub.store.effects import Effects, OutboxWrite
from certhub.hub.store.postgres import PostgresLedger


async def test_the_same_message_at_two_processes_at_once_is_one_record(pg_url: str) -> None:
    a, b = await PostgresLedger.open(pg_url), await PostgresLedger.open(pg_url)
    try:
        for n in range(20):
            message = unsigned_message(n)
            effects = Effects(outbox=(OutboxWrite(f"up-{n}", "ministry", "push", b"{}"),))
            both = await asyncio.gather(
                a.append(message, receipt, effects), b.append(message, receipt, effects)
            )
            assert both[0].record == both[1].record
            assert sorted(o.created for o in both) == [False, True]
            other = dataclasses.replace(message, message_id=f"clash-{n}")
            changed = dataclasses.replace(other, sha256="0" * 64)
            clash = await asyncio.gather(
                a.append(other, receipt), b.append(changed, receipt), return_exceptions=True
            )
            assert sorted(type(o).__name__ for o in clash) == ["AppendOutcome", "ReplayConflict"]
            assert any(isinstance(o, ReplayConflict) for o in clash)
        assert await a.count() == 40
        stats = await a.outbox_stats()
        assert stats.pending == 20
        assert first_broken(await a.audit_entries(0, 1000)) is None
    finally:
        await a.aclose()
        await b.aclose()
