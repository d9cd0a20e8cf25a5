"""The resilience policy: retries, deadlines, Retry-After, circuit breaker, bulkhead, metrics."""

from __future__ import annotations

import asyncio
import random

import pytest
from prometheus_client import CollectorRegistry

from certhub.adapters import (
    BulkheadFull,
    CircuitOpen,
    CircuitState,
    DepartmentTimeout,
    DepartmentUnavailable,
    PolicyConfig,
    RequestRejected,
    ResiliencePolicy,
    ResponseInvalid,
)
from certhub.monitoring.adapter_metrics import AdapterMetrics


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def policy(registry: CollectorRegistry | None = None, **limits: float) -> ResiliencePolicy:
    config = PolicyConfig.model_validate(
        {"attempt_timeout": 0.2, "deadline": 10, "failure_threshold": 3, **limits}
    )
    return ResiliencePolicy(
        "dept", config, transient_errors=(DepartmentUnavailable, DepartmentTimeout),
        metrics=AdapterMetrics(registry or CollectorRegistry()), testing=True,
        rng=random.Random(1),
    )  # fmt: skip


class Scripted:
    """An attempt that raises the given errors in turn, then returns "ok"."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


async def test_transient_errors_are_retried_up_to_max_attempts() -> None:
    registry = CollectorRegistry()
    attempt = Scripted(DepartmentUnavailable("down"), DepartmentUnavailable("down"))
    assert await policy(registry).call("op", attempt) == "ok"
    assert attempt.calls == 3
    labels = {"adapter": "dept", "operation": "op"}
    assert registry.get_sample_value("certhub_adapter_retries_total", labels) == 2
    ok = {**labels, "outcome": "ok"}
    assert registry.get_sample_value("certhub_adapter_requests_total", ok) == 1
    count = registry.get_sample_value("certhub_adapter_request_duration_seconds_count", labels)
    assert count == 1


async def test_attempts_are_bounded_and_the_last_error_is_raised() -> None:
    attempt = Scripted(*(DepartmentUnavailable(f"down {n}") for n in range(5)))
    with pytest.raises(DepartmentUnavailable, match="down 2"):
        await policy(failure_threshold=10).call("op", attempt)
    assert attempt.calls == 3


@pytest.mark.parametrize("error", [RequestRejected("no"), ResponseInvalid("bad")])
async def test_permanent_errors_are_never_retried(error: Exception) -> None:
    attempt = Scripted(error)
    with pytest.raises(type(error)):
        await policy().call("op", attempt)
    assert attempt.calls == 1


async def test_only_declared_transient_errors_are_retried() -> None:
    strict = policy()
    strict.transient_errors = (DepartmentTimeout,)
    attempt = Scripted(DepartmentUnavailable("down"))
    with pytest.raises(DepartmentUnavailable):
        await strict.call("op", attempt)
    assert attempt.calls == 1


async def test_backoff_is_full_jitter_within_exponential_bounds() -> None:
    subject = policy(backoff_initial=0.5, backoff_max=0.8, max_attempts=4, failure_threshold=9)
    await subject.call("op", Scripted(*(DepartmentUnavailable("x") for _ in range(3))))
    waits = list(subject.planned_waits)
    assert len(waits) == 3
    assert 0 <= waits[0] <= 0.5
    assert 0 <= waits[1] <= 0.8
    assert 0 <= waits[2] <= 0.8


async def test_retry_after_is_honoured_when_longer() -> None:
    subject = policy()
    await subject.call("op", Scripted(DepartmentUnavailable("busy", retry_after=4.0)))
    assert list(subject.planned_waits) == [4.0]


async def test_retry_after_beyond_the_limit_ends_the_call() -> None:
    attempt = Scripted(DepartmentUnavailable("busy", retry_after=3600))
    with pytest.raises(DepartmentUnavailable):
        await policy(max_retry_after=30).call("op", attempt)
    assert attempt.calls == 1


async def test_total_deadline_stops_retrying() -> None:
    attempt = Scripted(*(DepartmentUnavailable("x", retry_after=6) for _ in range(3)))
    with pytest.raises(DepartmentUnavailable):
        await policy(deadline=10, attempt_timeout=1).call("op", attempt)
    assert attempt.calls == 2  # 6 s waited (virtually); another 6 s would pass the deadline


async def test_a_hanging_attempt_times_out() -> None:
    never = asyncio.Event()

    async def hang() -> None:
        await never.wait()

    with pytest.raises(DepartmentTimeout):
        await policy(attempt_timeout=0.02, max_attempts=2).call("op", hang)


async def test_circuit_opens_half_opens_and_closes() -> None:
    clock = FakeClock()
    subject = policy(reset_timeout=30)
    subject.breaker._clock = clock
    subject.clock = clock
    with pytest.raises(DepartmentUnavailable):
        await subject.call("op", Scripted(*(DepartmentUnavailable("x") for _ in range(3))))
    assert subject.breaker.state is CircuitState.open
    untouched = Scripted()
    with pytest.raises(CircuitOpen) as caught:
        await subject.call("op", untouched)
    assert untouched.calls == 0
    assert caught.value.retry_after == pytest.approx(30)
    clock.now += 31
    assert subject.breaker.state is CircuitState.half_open
    assert await subject.call("op", Scripted()) == "ok"
    assert subject.breaker.state is CircuitState.closed


async def test_failed_probe_reopens_the_circuit() -> None:
    clock = FakeClock()
    registry = CollectorRegistry()
    subject = policy(registry, reset_timeout=5, max_attempts=1)
    subject.breaker._clock = clock
    for _ in range(3):
        with pytest.raises(DepartmentUnavailable):
            await subject.call("op", Scripted(DepartmentUnavailable("x")))
    clock.now += 6
    with pytest.raises(DepartmentUnavailable):
        await subject.call("op", Scripted(DepartmentUnavailable("still down")))
    assert subject.breaker.state is CircuitState.open
    assert registry.get_sample_value("certhub_adapter_circuit_state", {"adapter": "dept"}) == 2


async def test_rejections_do_not_open_the_circuit() -> None:
    subject = policy()
    for _ in range(5):
        with pytest.raises(RequestRejected):
            await subject.call("op", Scripted(RequestRejected("no")))
    assert subject.breaker.state is CircuitState.closed


async def test_bulkhead_refuses_beyond_its_queue() -> None:
    subject = policy(max_concurrent=1, max_waiting=0)
    release = asyncio.Event()
    started = asyncio.Event()

    async def slow() -> str:
        started.set()
        await release.wait()
        return "done"

    first = asyncio.create_task(subject.call("op", slow))
    await started.wait()
    with pytest.raises(BulkheadFull):
        await subject.call("op", Scripted())
    release.set()
    assert await first == "done"


async def test_cancelled_probe_frees_the_half_open_slot() -> None:
    clock = FakeClock()
    subject = policy(reset_timeout=5, max_attempts=1)
    subject.breaker._clock = clock
    for _ in range(3):
        with pytest.raises(DepartmentUnavailable):
            await subject.call("op", Scripted(DepartmentUnavailable("x")))
    clock.now += 6
    started = asyncio.Event()

    async def stuck() -> None:
        started.set()
        await asyncio.Event().wait()

    probe = asyncio.create_task(subject.call("op", stuck))
    await started.wait()
    probe.cancel()
    with pytest.raises(asyncio.CancelledError):
        await probe
    assert await subject.call("op", Scripted()) == "ok"


def test_attempt_timeout_must_fit_the_deadline() -> None:
    with pytest.raises(ValueError, match="deadline"):
        PolicyConfig(attempt_timeout=5, deadline=1)
