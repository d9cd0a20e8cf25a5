"""The ingress benchmark's paced load generator (``bench/paced.py``) measures what it claims.

An open loop must send on schedule however slowly the server answers, count
latency from the schedule, and count every request that got no 202 as failed,
including one whose connection closed under it, without hanging.
"""

from __future__ import annotations

import asyncio
import itertools
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from paced import open_loop

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Handler], Awaitable[str]]]:
    """Start a server answering POST /in with a handler; its URL."""
    runners: list[web.AppRunner] = []

    async def start(handler: Handler) -> str:
        app = web.Application()
        app.router.add_post("/in", handler)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        port = runner.addresses[0][1]
        return f"http://127.0.0.1:{port}/in"

    yield start
    for runner in runners:
        await runner.cleanup()


async def test_every_request_is_sent_on_schedule_while_a_slow_answer_is_awaited(
    serve: Callable[[Handler], Awaitable[str]],
) -> None:
    bodies: list[bytes] = []

    async def first_one_slow(request: web.Request) -> web.Response:
        bodies.append(await request.read())
        if len(bodies) == 1:
            await asyncio.sleep(0.3)
        return web.Response(status=202, text="{}")

    url = await serve(first_one_slow)
    tokens = (b"token-%d" % n for n in itertools.count())
    sent = await open_loop(url, tokens, rate=200, seconds=1)
    assert len(sent) == 200
    assert all(accepted for *_, accepted in sent)
    assert sorted(bodies) == sorted(b"token-%d" % n for n in range(200))
    by_schedule = sorted(sent)
    slowest = by_schedule[0]
    assert slowest[2] - slowest[0] >= 0.3  # latency from its scheduled time
    # The slow answer held up no other request: each went out on time, none waited 0.3 s.
    assert max(out - due for due, out, _, _ in sent) < 0.1
    assert max(done - due for due, _, done, _ in by_schedule[1:]) < 0.2
    steps = [b[0] - a[0] for a, b in itertools.pairwise(by_schedule)]
    assert min(steps) == pytest.approx(1 / 200) == pytest.approx(max(steps))


async def test_a_refusal_and_a_closed_connection_count_as_failed(
    serve: Callable[[Handler], Awaitable[str]],
) -> None:
    count = itertools.count()

    async def refuse_or_hang_up(request: web.Request) -> web.StreamResponse:
        await request.read()
        n = next(count)
        if n % 3 == 1:
            return web.Response(status=503, text="busy")
        if n % 3 == 2:
            assert request.transport is not None
            request.transport.close()  # no answer at all
            await asyncio.sleep(0.05)
        return web.Response(status=202, text="{}")

    url = await serve(refuse_or_hang_up)
    sent = await asyncio.wait_for(
        open_loop(url, (b"t" for _ in itertools.count()), rate=90, seconds=1), timeout=10
    )
    assert len(sent) == 90
    assert sum(accepted for *_, accepted in sent) == 30
