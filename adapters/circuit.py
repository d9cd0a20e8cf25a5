"""A per-adapter circuit breaker: closed → open after N failures → half-open probe.

Closed: calls pass; each attempt that fails in a way that blames the
department counts, a success resets the count. After ``failure_threshold``
consecutive failures the circuit opens: calls are refused with
:class:`~certhub.adapters.errors.CircuitOpen` until ``reset_timeout`` has passed. Then
it is half-open: exactly one probe passes; its success closes the circuit, its
failure opens it again for another ``reset_timeout``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum

from .errors import CircuitOpen

__all__ = ["CircuitBreaker", "CircuitState"]


class CircuitState(StrEnum):
    """The three states of a circuit breaker."""

    closed = "closed"
    open = "open"
    half_open = "half_open"


class CircuitBreaker:
    """Failure counting and admission for one adapter; not shared between adapters.

    Args:
        failure_threshold: consecutive failures that open the circuit.
        reset_timeout: seconds the circuit stays open before one probe passes.
        clock: monotonic clock in seconds (injectable for tests).
        on_change: called with the new state on every transition (metrics hook).
    """

    def __init__(
        self,
        *,
        failure_threshold: int,
        reset_timeout: float,
        clock: Callable[[], float] = time.monotonic,
        on_change: Callable[[CircuitState], None] | None = None,
    ) -> None:
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self._clock = clock
        self._on_change = on_change
        self._state = CircuitState.closed
        self._failures = 0
        self._opened_at = 0.0
        self._probing = False

    @property
    def state(self) -> CircuitState:
        """The current state, turning open into half-open once the timeout has passed."""
        if self._state is CircuitState.open and self._remaining() <= 0:
            self._transition(CircuitState.half_open)
        return self._state

    def admit(self, *, adapter: str = "", operation: str = "") -> None:
        """Let one attempt through or refuse it.

        Raises:
            CircuitOpen: the circuit is open, or half-open with its probe in flight.
        """
        state = self.state
        if state is CircuitState.closed:
            return
        if state is CircuitState.half_open and not self._probing:
            self._probing = True
            return
        raise CircuitOpen(
            f"circuit {state.value}; department not called",
            adapter=adapter,
            operation=operation,
            retry_after=max(self._remaining(), 0.0),
        )

    def record_success(self) -> None:
        """An admitted attempt succeeded (or failed without blaming the department)."""
        self._failures = 0
        self._probing = False
        if self._state is not CircuitState.closed:
            self._transition(CircuitState.closed)

    def record_failure(self) -> None:
        """An admitted attempt failed in a way that blames the department."""
        self._failures += 1
        was_probe, self._probing = self._probing, False
        if was_probe or self._failures >= self.failure_threshold:
            self._opened_at = self._clock()
            self._transition(CircuitState.open)

    def abandon(self) -> None:
        """An admitted attempt ended without a verdict (cancelled): free the probe slot."""
        self._probing = False

    def _remaining(self) -> float:
        return self._opened_at + self.reset_timeout - self._clock()

    def _transition(self, state: CircuitState) -> None:
        self._state = state
        if self._on_change is not None:
            self._on_change(state)
