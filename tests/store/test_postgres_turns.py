"""A coordinator's turn across hub processes on PostgreSQL, when the process holding it stops.

A process stopped while it holds a coordinator's turn (SIGSTOP, a paused VM,
a partition) keeps its session, and its advisory lock, for as long as TCP
keeps the connection (hours; forever while the machine answers). Every other
process's sending of that coordinator waited for it without end, neither
recorded nor refused, each holding its in-flight slot while the phone sent
again and again.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from certhub.hub.store import StoreUnavailable
from certhub.hub.store.postgres.turns import TURN_WAIT_SECONDS, AdvisoryTurns

KEY = "reports-rate-limited:coord-a:kid-1"


async def test_a_turn_held_by_a_stopped_process_is_refused_after_a_bounded_wait(
    pg_url: str,
) -> None:
    stopped, other = AdvisoryTurns(pg_url), AdvisoryTurns(pg_url)
    try:
        async with stopped.hold(KEY):  # … and that process stops here
            async with asyncio.timeout(2):  # another coordinator's turn is not held up
                async with other.hold("reports-rate-limited:coord-b:kid-1"):
                    pass
            started = time.monotonic()
            with pytest.raises(StoreUnavailable, match="cannot take a turn"):
                async with asyncio.timeout(TURN_WAIT_SECONDS + 5), other.hold(KEY):
                    pass
            assert time.monotonic() - started >= TURN_WAIT_SECONDS - 1
    finally:
        await stopped.aclose()
        await other.aclose()
