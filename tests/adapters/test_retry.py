"""The one backoff both retry layers use (adapters.retry): bounds, jitter, Retry-After."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry

from certhub.adapters import DepartmentUnavailable, PolicyConfig, ResiliencePolicy
from certhub.adapters.retry import DurableRetry, backoff
from certhub.monitoring.adapter_metrics import AdapterMetrics


@given(
    attempt=st.integers(1, 40),
    initial=st.floats(0.0, 10.0),
    cap=st.floats(0.0, 1000.0),
    floor=st.sampled_from([0.0, 0.5]),
    retry_after=st.none() | st.floats(0.0, 100.0),
    seed=st.integers(0, 2**32),
)
def test_backoff_stays_between_its_floor_and_its_ceiling_and_honours_retry_after(
    *, attempt: int, initial: float, cap: float, floor: float, retry_after: float | None, seed: int
) -> None:
    ceiling = min(cap, initial * 2.0 ** (attempt - 1))
    wait = backoff(
        attempt, initial=initial, cap=cap, floor=floor, retry_after=retry_after,
        rng=random.Random(seed),
    )  # fmt: skip
    assert wait >= floor * ceiling
    assert wait <= max(ceiling, retry_after or 0.0)
    assert wait >= (retry_after or 0.0)


async def test_the_in_call_layer_waits_exactly_what_the_shared_backoff_says() -> None:
    config = PolicyConfig(attempt_timeout=0.2, deadline=100, max_attempts=4)
    policy = ResiliencePolicy(
        "dept", config, transient_errors=(DepartmentUnavailable,),
        metrics=AdapterMetrics(CollectorRegistry()), testing=True, rng=random.Random(7),
    )  # fmt: skip
    failures = [DepartmentUnavailable("503") for _ in range(3)]

    async def attempt() -> str:
        if failures:
            raise failures.pop()
        return "ok"

    assert await policy.call("op", attempt) == "ok"
    expected = random.Random(7)
    assert list(policy.planned_waits) == [
        backoff(n, initial=0.2, cap=5.0, rng=expected) for n in (1, 2, 3)
    ]


def test_the_durable_layer_waits_on_the_upper_half_and_never_before_retry_after() -> None:
    retry = DurableRetry(backoff_initial=2.0, backoff_max=600.0)
    for attempts in range(1, 12):
        ceiling = min(600.0, 2.0 * 2 ** (attempts - 1))
        assert ceiling / 2 <= retry.delay(attempts, None) <= ceiling
    assert retry.delay(1, 120.0) == 120.0
