"""The one resilience policy around every department call; the only user of tenacity.

Per call: a bulkhead slot (bounded concurrency and waiting), then up to
``max_attempts`` attempts inside a total ``deadline``. Each attempt is admitted
by the adapter's :class:`~certhub.adapters.circuit.CircuitBreaker` and bounded by
``attempt_timeout``. Between attempts the policy waits a full-jitter
exponential backoff, or the department's ``Retry-After`` when that is longer.
Only the exception classes the adapter lists in ``transient_errors`` are
retried; everything else ends the call at once. Metrics are recorded for
every call, retry and breaker transition.

How this in-call layer and the hub's durable retries share one backoff is
told in :mod:`certhub.adapters.retry`.

``testing=True`` computes every wait but does not sleep, and remembers the
waits in :attr:`ResiliencePolicy.planned_waits` for assertions — no
monkeypatching of ``asyncio.sleep``.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt
from tenacity.stop import stop_base

from certhub.monitoring.adapter_metrics import AdapterMetrics

from .circuit import CircuitBreaker, CircuitState
from .config import PolicyConfig
from .errors import (
    AdapterError,
    BulkheadFull,
    CircuitOpen,
    DepartmentTimeout,
    DepartmentUnavailable,
    TransientError,
)
from .retry import backoff

__all__ = ["ResiliencePolicy"]

T = TypeVar("T")
_LOCAL_REFUSALS = (CircuitOpen, BulkheadFull)


class _Bulkhead:
    """At most ``limit`` calls in flight and ``max_waiting`` queued for a slot."""

    def __init__(self, limit: int, max_waiting: int) -> None:
        self._slots = asyncio.Semaphore(limit)
        self._max_waiting = max_waiting
        self._waiting = 0

    async def acquire(self, patience: float, *, adapter: str, operation: str) -> None:
        if not self._slots.locked():
            await self._slots.acquire()
            return
        if self._waiting >= self._max_waiting:
            raise BulkheadFull("bulkhead full", adapter=adapter, operation=operation)
        self._waiting += 1
        try:
            async with asyncio.timeout(patience):
                await self._slots.acquire()
        except TimeoutError:
            raise BulkheadFull(
                "no bulkhead slot before the deadline", adapter=adapter, operation=operation
            ) from None
        finally:
            self._waiting -= 1

    def release(self) -> None:
        self._slots.release()


class _StopAtDeadline(stop_base):
    """Stop when the coming backoff would end past the call's total deadline."""

    def __init__(self, policy: ResiliencePolicy, started: float) -> None:
        self._policy = policy
        self._started = started

    def __call__(self, retry_state: RetryCallState) -> bool:
        elapsed = self._policy.clock() - self._started + self._policy.virtual_idle(retry_state)
        return elapsed + retry_state.upcoming_sleep >= self._policy.config.deadline


class ResiliencePolicy:
    """Timeouts, retries, circuit breaking and bulkhead for one adapter.

    Args:
        adapter: the adapter's registered name (metric label, error context).
        config: the limits.
        transient_errors: the error classes this adapter declares retryable.
        metrics: where calls, retries and breaker state are recorded.
        testing: compute backoffs but do not sleep.
        clock: monotonic clock in seconds.
        rng: randomness of the jitter (seed it for reproducible waits).
    """

    def __init__(
        self,
        adapter: str,
        config: PolicyConfig,
        *,
        transient_errors: tuple[type[TransientError], ...],
        metrics: AdapterMetrics,
        testing: bool = False,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.adapter = adapter
        self.config = config
        self.transient_errors = transient_errors
        self.testing = testing
        self.planned_waits: deque[float] = deque(maxlen=1000)
        self._metrics = metrics
        self.clock = clock
        self._rng = rng or random.Random()  # noqa: S311  # jitter, not cryptography
        self._bulkhead = _Bulkhead(config.max_concurrent, config.max_waiting)
        self._children: dict[str, tuple[Callable[[float], None], Callable[[], None]]] = {}
        self._counters: dict[tuple[str, str], Callable[[], None]] = {}
        self.breaker = CircuitBreaker(
            failure_threshold=config.failure_threshold,
            reset_timeout=config.reset_timeout,
            clock=clock,
            on_change=self._on_circuit_change,
        )
        metrics.set_circuit_state(adapter, CircuitState.closed.value)

    async def call(self, operation: str, attempt: Callable[[], Awaitable[T]]) -> T:
        """Run ``attempt`` under the policy and return its result.

        Raises:
            AdapterError: the last attempt's error, or CircuitOpen / BulkheadFull /
                DepartmentTimeout raised by the policy itself.
        """
        started = self.clock()
        observe, retried = self._metric_children(operation)
        outcome = "ok"
        try:
            await self._bulkhead.acquire(
                self.config.deadline, adapter=self.adapter, operation=operation
            )
            try:
                return await self._attempts(operation, attempt, started, retried)
            finally:
                self._bulkhead.release()
        except AdapterError as exc:
            outcome = exc.outcome
            raise
        finally:
            observe(self.clock() - started)
            self._count(operation, outcome)

    async def _attempts(
        self,
        operation: str,
        attempt: Callable[[], Awaitable[T]],
        started: float,
        retried: Callable[[], None],
    ) -> T:
        # Fast path: the first attempt runs without tenacity, whose per-call set-up
        # costs far more than the rest of the policy. If it fails retryably, tenacity
        # takes over and is shown that first failure, so waits, stops and attempt
        # numbers are exactly as if it had run the first attempt itself.
        try:
            return await self._one_attempt(operation, attempt, started)
        except AdapterError as exc:
            if self.config.max_attempts == 1 or not self._is_retryable(exc):
                raise
            first_failure: list[AdapterError] = [exc]

        async def replaying(shifted: float) -> T:
            if first_failure:
                raise first_failure.pop()
            return await self._one_attempt(operation, attempt, shifted)

        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.config.max_attempts) | _StopAtDeadline(self, started),
            wait=self._backoff,
            retry=retry_if_exception(self._is_retryable),
            sleep=self._sleep,
            before_sleep=lambda _state: retried(),
            reraise=True,
        )
        async for try_ in retrying:
            with try_:
                return await replaying(started - self.virtual_idle(try_.retry_state))
        raise AssertionError("unreachable: tenacity reraises the last error")  # pragma: no cover

    async def _one_attempt(
        self, operation: str, attempt: Callable[[], Awaitable[T]], started: float
    ) -> T:
        self.breaker.admit(adapter=self.adapter, operation=operation)
        budget = min(self.config.attempt_timeout, self.config.deadline - (self.clock() - started))
        try:
            async with asyncio.timeout(max(budget, 0.0)):
                result = await attempt()
        except TimeoutError:
            self.breaker.record_failure()
            raise DepartmentTimeout(
                f"no answer within {budget:.3f}s", adapter=self.adapter, operation=operation
            ) from None
        except AdapterError as exc:
            exc.adapter, exc.operation = self.adapter, operation
            if exc.blames_department:
                self.breaker.record_failure()
            else:
                self.breaker.record_success()
            raise
        except BaseException:
            self.breaker.abandon()  # cancelled or a bug: no verdict on the department
            raise
        self.breaker.record_success()
        return result

    def virtual_idle(self, state: RetryCallState) -> float:
        """Backoff not really slept (testing mode), still charged against the deadline."""
        return state.idle_for if self.testing else 0.0

    def _is_retryable(self, exc: BaseException) -> bool:
        return isinstance(exc, self.transient_errors) and not isinstance(exc, _LOCAL_REFUSALS)

    def _backoff(self, state: RetryCallState) -> float:
        """The in-call layer's :func:`~certhub.adapters.retry.backoff` (full jitter), or a longer
        Retry-After; one too long to wait in-call ends the call (the durable layer waits)."""
        exc = state.outcome.exception() if state.outcome is not None else None
        retry_after = exc.retry_after if isinstance(exc, DepartmentUnavailable) else None
        wait = backoff(
            state.attempt_number,
            initial=self.config.backoff_initial,
            cap=self.config.backoff_max,
            retry_after=retry_after,
            rng=self._rng,
        )
        if retry_after is not None and retry_after > self.config.max_retry_after:
            return math.inf  # the stop condition ends the call
        return wait

    async def _sleep(self, seconds: float) -> None:
        self.planned_waits.append(seconds)
        if not self.testing:
            await asyncio.sleep(seconds)

    def _metric_children(
        self, operation: str
    ) -> tuple[Callable[[float], None], Callable[[], None]]:
        """Label-bound metric methods for ``operation``, cached (labels() is not free)."""
        children = self._children.get(operation)
        if children is None:
            observe = self._metrics.duration.labels(self.adapter, operation).observe
            retried = self._metrics.retries.labels(self.adapter, operation).inc
            children = self._children[operation] = (observe, retried)
        return children

    def _count(self, operation: str, outcome: str) -> None:
        key = (operation, outcome)
        increment = self._counters.get(key)
        if increment is None:
            child = self._metrics.requests.labels(self.adapter, operation, outcome)
            increment = self._counters[key] = child.inc
        increment()

    def _on_circuit_change(self, state: CircuitState) -> None:
        self._metrics.set_circuit_state(self.adapter, state.value)
