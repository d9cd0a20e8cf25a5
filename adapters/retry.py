"""Where a failed department call is retried, and how long it waits: one backoff for both layers.

A delivery (an SMS notice, a certification pushed upward) is retried in two
layers, on purpose, with the same :func:`backoff` and different bounds:

1. **In-call** (:class:`~certhub.adapters.policy.ResiliencePolicy`, tenacity): one
   delivery attempt makes up to ``PolicyConfig.max_attempts`` calls inside a
   total deadline of seconds, with short waits (0.2 s doubling to 5 s). It
   rides out a dropped connection or a brief 503 while the caller waits.
2. **Durable** (:class:`DurableRetry`, read by ``certhub.hub.delivery.dispatcher``):
   when the in-call layer gives up on a transient failure, the outbox row is
   rescheduled (``next_attempt_at``) with long waits (2 s doubling to 10 min),
   up to ``max_attempts`` delivery attempts, then dead-lettered. It survives
   a department down for hours and a hub restart, because the schedule is in
   the ledger, not in memory.

A permanent error (:class:`~certhub.adapters.errors.PermanentError`) ends both layers
at once. Either layer waits at least a department's ``Retry-After``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["DurableRetry", "backoff"]

_JITTER = random.Random()  # noqa: S311  # jitter, not cryptography


def backoff(
    attempt: int,
    *,
    initial: float,
    cap: float,
    floor: float = 0.0,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait after the ``attempt``-th failure (1-based): exponential with jitter.

    The ceiling doubles from ``initial`` up to ``cap``; the wait is uniform in
    ``[floor·ceiling, ceiling]`` (``floor=0`` is "full jitter"), and never
    shorter than ``retry_after``.
    """
    ceiling = min(cap, initial * 2.0 ** (attempt - 1))
    wait = (rng or _JITTER).uniform(floor * ceiling, ceiling)
    return max(wait, retry_after or 0.0)


@dataclass(frozen=True, slots=True)
class DurableRetry:
    """The durable layer's bounds: delivery attempts recorded in the outbox, long backoff."""

    max_attempts: int = 8
    backoff_initial: float = 2.0
    backoff_max: float = 600.0

    def delay(self, attempts: int, retry_after: float | None) -> float:
        """Seconds before the next delivery attempt after ``attempts`` failed ones.

        Jitter covers only the upper half of the ceiling: a durable retry should
        not come back almost at once after a long outage.
        """
        return backoff(
            attempts,
            initial=self.backoff_initial,
            cap=self.backoff_max,
            floor=0.5,
            retry_after=retry_after,
        )
