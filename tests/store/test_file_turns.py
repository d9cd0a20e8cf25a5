"""A coordinator's turn across the processes of one SQLite data folder: a file lock per key.

The turn must pass from process to process as each lets go, never be held by a
process that died holding it, and never by a request that stopped waiting for it.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from pathlib import Path

from certhub.hub.store.sqlite.turns import FileTurns

KEY = "reports-rate-limited:coord-a:kid-1"

HOLDER = """
import asyncio, sys
from pathlib import Path
from certhub.hub.store.sqlite.turns import FileTurns

async def hold() -> None:
    async with FileTurns(Path(sys.argv[1])).key_turn(sys.argv[2]):
        print("held", flush=True)
        await asyncio.sleep(600)

asyncio.run(hold())
"""


async def test_a_turn_held_by_a_process_that_dies_passes_to_the_next(tmp_path: Path) -> None:
    """Another process holds the key's turn, and is killed (as the OOM killer would):
    the turn waited for here is taken at once, not when someone notices."""
    folder = tmp_path / "ledger-turns"
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", HOLDER, str(folder), KEY, stdout=asyncio.subprocess.PIPE
    )
    try:
        assert holder.stdout is not None
        assert await holder.stdout.readline() == b"held\n"
        waiting = asyncio.create_task(_take(FileTurns(folder), KEY))
        await asyncio.sleep(0.2)
        assert not waiting.done()  # the other process's turn
        holder.kill()
        await asyncio.wait_for(waiting, timeout=10)
    finally:
        if holder.returncode is None:
            holder.kill()
        await holder.wait()


async def test_a_waiter_that_goes_away_leaves_the_turn_to_the_next(tmp_path: Path) -> None:
    """A request waiting for its turn is cancelled (its client went away): once the
    holder lets go, the next one takes the turn; the one that left does not keep it."""
    turns = FileTurns(tmp_path / "ledger-turns")
    held = turns.key_turn(KEY)
    await held.__aenter__()
    gone = asyncio.create_task(_take(FileTurns(tmp_path / "ledger-turns"), KEY))
    await asyncio.sleep(0.1)
    gone.cancel()
    await asyncio.gather(gone, return_exceptions=True)
    await held.__aexit__(None, None, None)
    await _no_thread_waits()  # the one that left has had the turn, and let it go
    await asyncio.wait_for(_take(turns, KEY), timeout=5)


async def test_other_keys_do_not_wait(tmp_path: Path) -> None:
    """One coordinator's turn keeps no other coordinator waiting."""
    turns = FileTurns(tmp_path / "ledger-turns")
    async with turns.key_turn(KEY):
        await asyncio.wait_for(_take(turns, "reports-rate-limited:coord-b:kid-2"), timeout=1)
    assert (tmp_path / "ledger-turns").stat().st_mode & 0o777 == 0o700


async def _take(turns: FileTurns, key: str) -> None:
    async with turns.key_turn(key):
        pass


async def _no_thread_waits() -> None:
    """Wait (for at most 5 s) until no thread waits for a turn."""
    for _ in range(500):
        if not any(thread.name == "ledger-turn" for thread in threading.enumerate()):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("a thread still waits for a turn")
