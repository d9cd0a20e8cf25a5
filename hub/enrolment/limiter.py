"""Bounds on guessing enrolment codes: failed attempts per client address and overall.

Codes are 12 digits, so guessing is already hopeless at any rate a network
allows; the limiter makes it so at a rate the hub chooses. Only failures
count (a phone typing its code right is never held up by others' mistakes),
and the overall bound also stops a guesser spread over many addresses. The
counts live in one hub process: several processes each allow their share.
Memory stays bounded: at most ``overall`` failure times are ever kept.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from typing import Final

from certhub.hub.problems import Problem

__all__ = ["FailureLimiter"]

PER_CLIENT: Final = 10
OVERALL: Final = 100
WINDOW_SECONDS: Final = 600.0


class FailureLimiter:
    """Refuse a client after ``per_client`` failures within ``window`` s, anyone after ``overall``.

    Args:
        per_client: failures one client address may have within the window.
        overall: failures all clients together may have within the window.
        window: the sliding window, in seconds.
        clock: monotonic seconds (injected by tests).
    """

    def __init__(
        self,
        *,
        per_client: int = PER_CLIENT,
        overall: int = OVERALL,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._per_client = per_client
        self._overall = overall
        self._window = window
        self._clock = clock
        self._all: deque[tuple[float, str]] = deque()
        self._by_client: dict[str, int] = {}

    def check(self, client: str) -> None:
        """Refuse ``client`` now if it, or everyone together, failed too often lately.

        Raises:
            Problem: ``enrolment-rate-limited`` with ``Retry-After`` (seconds
                until the oldest counted failure leaves the window).
        """
        now = self._clock()
        self._expire(now)
        if len(self._all) >= self._overall:
            self._refuse(self._all[0][0], now)
        if self._by_client.get(client, 0) >= self._per_client:
            oldest = next(at for at, who in self._all if who == client)
            self._refuse(oldest, now)

    def failed(self, client: str) -> None:
        """Count one failed attempt of ``client``."""
        now = self._clock()
        self._expire(now)
        if len(self._all) >= self._overall:  # never more than ``overall`` kept
            self._forget_oldest()
        self._all.append((now, client))
        self._by_client[client] = self._by_client.get(client, 0) + 1

    def _expire(self, now: float) -> None:
        while self._all and self._all[0][0] <= now - self._window:
            self._forget_oldest()

    def _forget_oldest(self) -> None:
        _, who = self._all.popleft()
        left = self._by_client[who] - 1
        if left:
            self._by_client[who] = left
        else:
            del self._by_client[who]

    def _refuse(self, oldest: float, now: float) -> None:
        wait = max(1, math.ceil(oldest + self._window - now))
        raise Problem(
            "enrolment-rate-limited",
            "too many wrong enrolment codes; wait before trying again",
            headers={"Retry-After": str(wait)},
        )
