"""What the resilience policy + metrics add to one department call.

An in-process fake department (an async function that answers at once) is
called bare and through :class:`adapters.ResiliencePolicy` with real
Prometheus metrics, interleaved in the same run so both see the same machine.
Prints p50/p90/p99 per call in microseconds, the p50 added, and the ratio.
Target: at most 50 µs added per call at p50.

    .venv/bin/python bench/adapters.py [--calls 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and "adapters" would
# name this file rather than the package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

import httpx
from prometheus_client import CollectorRegistry

from certhub.adapters import (
    DepartmentTimeout,
    DepartmentUnavailable,
    PolicyConfig,
    ResiliencePolicy,
)
from certhub.monitoring.adapter_metrics import AdapterMetrics

TARGET_US = 50.0


async def fake_department() -> dict[str, str]:
    """Answers at once, like a department with zero latency."""
    return {"result": "MATCH"}


async def timed(call: Callable[[], Awaitable[object]], n: int) -> list[float]:
    """Per-call durations in microseconds."""
    out = []
    clock = time.perf_counter_ns
    for _ in range(n):
        start = clock()
        await call()
        out.append((clock() - start) / 1000)
    return out


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of ``values``."""
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


def new_policy() -> ResiliencePolicy:
    """A production-configured policy (no testing mode) with real metrics."""
    return ResiliencePolicy(
        "bench",
        PolicyConfig(),
        transient_errors=(DepartmentUnavailable, DepartmentTimeout),
        metrics=AdapterMetrics(CollectorRegistry()),
    )


async def main(calls: int) -> None:
    """Pure overhead against an instant fake, then against an httpx in-process department."""
    policy = new_policy()

    async def bare() -> object:
        return await fake_department()

    async def wrapped() -> object:
        return await policy.call("verify_person", fake_department)

    print("== instant fake department (pure policy + metrics cost; the target applies here)")
    added = await compare(bare, wrapped, calls)
    print("PASS" if added <= TARGET_US else "FAIL")
    transport = httpx.MockTransport(lambda _request: httpx.Response(200, json={"ok": True}))
    async with httpx.AsyncClient(transport=transport, base_url="http://dept") as client:

        async def bare_http() -> object:
            return await client.post("/sms/v1/messages", json={"n": 1})

        async def wrapped_http() -> object:
            return await policy.call("notify", bare_http)

        print("== fake department behind httpx.MockTransport (context: the call itself drifts")
        print("   by tens of µs between runs, so its p50 difference is mostly noise)")
        await compare(bare_http, wrapped_http, calls // 4)


async def compare(
    bare: Callable[[], Awaitable[object]],
    wrapped: Callable[[], Awaitable[object]],
    calls: int,
    rounds: int = 10,
) -> float:
    """Interleave bare and wrapped rounds; print the figures."""
    await timed(bare, 1000)  # warm-up
    await timed(wrapped, 1000)
    bare_us: list[float] = []
    policy_us: list[float] = []
    for _ in range(rounds):
        bare_us += await timed(bare, calls // rounds)
        policy_us += await timed(wrapped, calls // rounds)
    p50_bare, p50_policy = statistics.median(bare_us), statistics.median(policy_us)
    added = p50_policy - p50_bare
    print(f"calls per variant: {len(bare_us)}")
    for name, values in (("bare call", bare_us), ("policy + metrics", policy_us)):
        print(
            f"{name:17} p50 {pct(values, 0.5):7.2f} µs   p90 {pct(values, 0.9):7.2f} µs"
            f"   p99 {pct(values, 0.99):7.2f} µs"
        )
    ratio = p50_policy / p50_bare
    print(f"added at p50: {added:.2f} µs (target ≤ {TARGET_US:.0f} µs)  ratio: {ratio:.1f}×")
    return added


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=20000)
    asyncio.run(main(parser.parse_args().calls))
