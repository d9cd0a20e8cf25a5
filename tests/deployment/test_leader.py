"""Singletons run in one process of a deployment, and move when their leader's session dies."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from contextlib import AsyncExitStack
from typing import Any

import asyncpg
import pytest

from certhub.hub.core.leader import LEADER_LOCK_CLASS, Leadership

RETRY = 0.2


async def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    """Poll ``condition()`` until true; fail past ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {seconds} s"
        await asyncio.sleep(0.05)


async def test_one_of_three_runs_the_loop_and_another_takes_over_when_its_session_dies(
    pg_database: str,
) -> None:
    rounds: Counter[int] = Counter()

    def loop_of(index: int) -> Callable[[], Coroutine[Any, Any, None]]:
        async def loop() -> None:
            while True:
                rounds[index] += 1
                await asyncio.sleep(0.05)

        return loop

    processes = [Leadership(pg_database, retry=RETRY) for _ in range(3)]
    swept: Counter[int] = Counter()

    def sweep_of(index: int) -> Callable[[], Coroutine[Any, Any, None]]:
        async def sweep() -> None:
            swept[index] += 1
            await asyncio.Event().wait()

        return sweep

    async with AsyncExitStack() as stack:
        for index, process in enumerate(processes):
            await stack.enter_async_context(process.running("pull", loop_of(index)))
            await stack.enter_async_context(process.running("sweep", sweep_of(index)))
        await wait_for(lambda: sum(p.leads("pull") for p in processes) == 1, 5, "a leader")
        leader = next(i for i, p in enumerate(processes) if p.leads("pull"))
        assert processes[leader].leads("sweep")  # one leader runs every singleton
        assert set(swept) == {leader}
        sessions = await lock_sessions(pg_database)
        assert len(sessions) == 3  # one lock connection per process, however many singletons
        await asyncio.sleep(5 * RETRY)
        assert sum(p.leads("pull") for p in processes) == 1  # still exactly one
        assert set(rounds) == {leader}  # only the leader's loop ever ran

        # The leader's database session dies (its process was killed, its machine lost).
        conn = await asyncpg.connect(pg_database)
        try:
            killed = await conn.fetchval(
                "SELECT count(pg_terminate_backend(l.pid)) FROM pg_locks AS l"
                " WHERE l.locktype = 'advisory' AND l.classid = $1"
                " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                " AND l.objsubid = 2 AND l.granted",
                LEADER_LOCK_CLASS,
            )
            assert killed == 1
        finally:
            await conn.close()
        await wait_for(lambda: not processes[leader].leads("pull"), 5, "old leader steps down")
        started = time.monotonic()
        await wait_for(lambda: sum(p.leads("pull") for p in processes) == 1, 5, "a new leader")
        assert time.monotonic() - started < 5 * RETRY + 1
        before = dict(rounds)
        await asyncio.sleep(5 * RETRY)
        runners = {i for i in rounds if rounds[i] > before.get(i, 0)}
        assert len(runners) == 1  # one loop runs at a time, whoever leads now
        assert len(swept) == 2  # the sweep moved with it
    assert not any(p.leads("pull") for p in processes)  # shut down: nobody leads


async def lock_sessions(url: str) -> list[str]:
    """The application names of the leader-lock connections."""
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT application_name FROM pg_stat_activity"
            " WHERE application_name LIKE 'certhub leader pid %' AND datname = current_database()"
        )
        return [str(row[0]) for row in rows]
    finally:
        await conn.close()


async def test_deployments_in_two_schemas_of_one_database_each_have_a_leader(
    pg_database: str,
) -> None:
    """Two deployments may share a database, a schema each (``?search_path=`` in the URL).

    Advisory locks are the database's, not a schema's: one leader lock for every
    deployment let one deployment's leader keep the other's singletons (the
    ministry pull, the sweeps) from ever running.
    """
    conn = await asyncpg.connect(pg_database)
    try:
        await conn.execute("CREATE SCHEMA city_a; CREATE SCHEMA city_b")
    finally:
        await conn.close()

    async def idle() -> None:
        await asyncio.Event().wait()

    a = [Leadership(f"{pg_database}?search_path=city_a", retry=RETRY) for _ in range(2)]
    b = [Leadership(f"{pg_database}?search_path=city_b", retry=RETRY) for _ in range(2)]
    async with AsyncExitStack() as stack:
        for process in (*a, *b):
            await stack.enter_async_context(process.running("pull", idle))
        await wait_for(lambda: any(p.leads("pull") for p in a), 5, "a leader in city_a")
        await wait_for(lambda: any(p.leads("pull") for p in b), 5, "a leader in city_b")
        await asyncio.sleep(3 * RETRY)
        assert sum(p.leads("pull") for p in a) == 1  # still one per deployment
        assert sum(p.leads("pull") for p in b) == 1


async def test_a_leader_whose_session_is_killed_stops_before_another_leads(
    pg_database: str,
) -> None:
    """The leader's session killed (``pg_terminate_backend``, a failover): the server frees
    the lock at once and a follower takes it. The old leader heard of it only at its next
    check, ``retry`` seconds on, and both ran the singletons meanwhile (the pull twice)."""
    running: set[str] = set()
    overlaps: list[set[str]] = []

    def loop_of(name: str) -> Callable[[], Coroutine[Any, Any, None]]:
        async def loop() -> None:
            running.add(name)
            try:
                while True:
                    if len(running) > 1:
                        overlaps.append(set(running))
                    await asyncio.sleep(0.01)
            finally:
                running.discard(name)

        return loop

    leader = Leadership(pg_database, retry=30.0)  # checks its session every 30 s
    # polls every 0.5 s: the server frees the lock a moment before the old leader's socket
    # closes, so a poll that lands in that moment could still overlap (no fence: see leader.py)
    follower = Leadership(pg_database, retry=0.5)
    async with leader.running("pull", loop_of("leader")):
        await wait_for(lambda: leader.leads("pull"), 5, "the first leader")
        async with follower.running("pull", loop_of("follower")):
            await asyncio.sleep(0.6)  # the follower polled the lock
            assert not follower.leads("pull")
            conn = await asyncpg.connect(pg_database)
            try:
                killed = await conn.fetchval(
                    "SELECT count(pg_terminate_backend(l.pid)) FROM pg_locks AS l"
                    " WHERE l.locktype = 'advisory' AND l.classid = $1 AND l.granted"
                    " AND l.database = (SELECT oid FROM pg_database"
                    " WHERE datname = current_database())",
                    LEADER_LOCK_CLASS,
                )
            finally:
                await conn.close()
            assert killed == 1
            await wait_for(lambda: not leader.leads("pull"), 2, "the old leader steps down")
            await wait_for(lambda: follower.leads("pull") or leader.leads("pull"), 5, "a leader")
            await asyncio.sleep(0.2)
    assert overlaps == []


async def test_without_a_database_the_only_process_simply_runs_the_loop() -> None:
    ran = asyncio.Event()

    async def loop() -> None:
        ran.set()
        await asyncio.Event().wait()

    sole = Leadership(None)
    async with sole.running("pull", loop):
        await asyncio.wait_for(ran.wait(), 2)
        assert sole.leads("pull")


async def test_a_database_outage_logs_its_start_not_every_retry(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Every process contends every ``retry`` seconds: an outage must not log each attempt.

    README (Logs): background loops log an outage's first failure, at most one
    "still failing" a minute and its end. A server that drops every connection
    stands for PostgreSQL away.
    """
    attempts = 0

    async def refuse(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal attempts
        attempts += 1
        writer.close()

    server = await asyncio.start_server(refuse, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    caplog.set_level(logging.WARNING, logger="certhub.hub.core.leader")
    contender = Leadership(f"postgresql://postgres@127.0.0.1:{port}/certhub", retry=0.01)

    async def loop() -> None:
        await asyncio.Event().wait()

    async with server, contender.running("pull", loop):
        await wait_for(lambda: attempts >= 20, 10, "20 attempts to take the lock")
    said = [r.getMessage() for r in caplog.records if r.name == "certhub.hub.core.leader"]
    assert len(said) == 1, said
    assert said[0].startswith("leader lock: round failed, trying again next round: ")
