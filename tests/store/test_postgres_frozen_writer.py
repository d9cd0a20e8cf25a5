"""A hub process frozen in its group commit must not stop every other process's writes.

Each group commit holds the deployment's writer lock until it commits. A
process stopped in the middle (SIGSTOP, a paused VM, an event loop blocked,
a network partition) left its transaction open and the lock held: PostgreSQL
keeps an idle transaction forever (its TCP keepalive notices a vanished
client after two hours), and every push to every process of the province
waited that long, neither answered nor refused.
"""

from __future__ import annotations

import asyncio
import time

from ledgerkit import receipt, unsigned_message

from certhub.hub.store.postgres import PostgresLedger
from certhub.hub.store.postgres.commit import WRITER_IDLE_SECONDS, begin, connect_writer


async def test_a_writer_frozen_holding_the_lock_is_cut_off_and_the_others_write(
    pg_url: str,
) -> None:
    other = await PostgresLedger.open(pg_url)
    frozen = await connect_writer(pg_url)  # the group commit's connection, as a hub opens it
    try:
        transaction = frozen.transaction()
        await transaction.start()
        await begin(frozen)  # holds the writer lock … and the process stops here
        started = time.monotonic()
        outcome = await asyncio.wait_for(
            other.append(unsigned_message(1), receipt), WRITER_IDLE_SECONDS + 5
        )
        assert outcome.created
        assert time.monotonic() - started >= WRITER_IDLE_SECONDS - 1  # it did wait for the lock
    finally:
        frozen.terminate()
        await other.aclose()
