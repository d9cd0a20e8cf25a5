"""Every durable ledger write is timed for ``certhub_ledger_write_duration_seconds`` (16 §3)."""

from __future__ import annotations

import asyncio
import time

import pytest
from ledger_backends import Backend
from ledgerkit import receipt, unsigned_message

from certhub.hub.store import ReplayConflict


async def test_each_committed_write_is_observed_once_and_a_refused_one_never(
    ledger_factory: Backend,
) -> None:
    ledger = await ledger_factory.open()
    seen: list[float] = []
    ledger.observe_writes(seen.append)
    began = time.perf_counter()
    await asyncio.gather(*(ledger.append(unsigned_message(n), receipt) for n in range(1, 6)))
    waited = time.perf_counter() - began
    assert len(seen) == 5  # five appends, however many group commits carried them
    assert all(0 < seconds <= waited for seconds in seen)
    duplicate = await ledger.append(unsigned_message(1), receipt)
    assert not duplicate.created
    assert len(seen) == 6  # a duplicate is a write answered after the commit, timed too
    other = unsigned_message(1, jws=b"other bytes")
    with pytest.raises(ReplayConflict):
        await ledger.append(other, receipt)
    assert len(seen) == 6
