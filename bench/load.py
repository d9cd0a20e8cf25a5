"""Load generators of the ingress benchmark: a closed loop (peak) and an open loop (paced)."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass

import aiohttp
import paced


@dataclass
class Result:
    """One measured phase."""

    server: str
    phase: str
    ok: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float
    cpu_us_per_request: float = float("nan")
    rate_asked: float = float("nan")  # the paced phase's target rate
    in_flight: int = 0  # the peak phase's requests in flight
    generator: str = "python"  # the load generator: "python" (this file) or "wrk"
    generator_cpu_share: float = float("nan")  # its CPU use, a fraction of one core
    # The server's threads' time runnable but waiting for a CPU, per second of the phase.
    cpu_wait: float = float("nan")

    @property
    def rate(self) -> float:
        """Successful requests per second."""
        return self.ok / self.seconds


def percentile(values: list[float], q: float) -> float:
    """The q-quantile of ``values`` in milliseconds."""
    if len(values) < 2:
        return values[0] * 1000 if values else float("nan")
    return statistics.quantiles(values, n=1000)[int(q * 1000) - 1] * 1000


async def wait_ready(url: str, deadline: float) -> None:
    """Poll ``url`` until it answers or the deadline passes."""
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.get(url) as response:
                    if response.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


async def closed_loop(
    url: str, tokens: Iterator[bytes], concurrency: int, seconds: float, name: str
) -> Result:
    """Keep ``concurrency`` requests in flight for ``seconds``."""
    latencies: list[float] = []
    errors = 0
    cpu_before = time.process_time()
    stop = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < stop:
                token = next(tokens)
                started = time.perf_counter()
                if await _post(session, url, token):
                    latencies.append(time.perf_counter() - started)
                else:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    result = _result(name, "peak", latencies, errors, elapsed, in_flight=concurrency)
    result.generator_cpu_share = (time.process_time() - cpu_before) / elapsed
    return result


async def open_loop(
    url: str, tokens: Iterator[bytes], rate: float, seconds: float, name: str
) -> Result:
    """Send at a fixed ``rate`` (:mod:`paced`); latency from each request's scheduled time."""
    cpu_before = time.process_time()
    sent = await paced.open_loop(url, tokens, rate, seconds)
    elapsed = max(row[2] for row in sent) - min(row[0] for row in sent)  # first due, last answer
    latencies = [answered - scheduled for scheduled, _, answered, accepted in sent if accepted]
    result = _result(name, "paced", latencies, len(sent) - len(latencies), elapsed)
    result.generator_cpu_share = (time.process_time() - cpu_before) / elapsed
    return result


async def _post(session: aiohttp.ClientSession, url: str, token: bytes) -> bool:
    """Push one signed report; whether the server accepted it (202)."""
    async with session.post(url, data=token, headers=HEADERS) as response:
        await response.read()
        return response.status == 202


def _result(
    name: str,
    phase: str,
    latencies: list[float],
    errors: int,
    elapsed: float,
    *,
    in_flight: int = 0,
) -> Result:
    return Result(
        name,
        phase,
        len(latencies),
        errors,
        elapsed,
        percentile(latencies, 0.5),
        percentile(latencies, 0.99),
        in_flight=in_flight,
    )


HEADERS = {"Content-Type": "application/jose"}
