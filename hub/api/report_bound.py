"""A bound on the reports one coordinator's key files: a stolen phone's reach per hour.

A village files a few reports a month; a stolen phone, before the county revokes
its key, could file a death report for every pensioner of its village in a
minute, each a review item and, once approved, a verification holding a
benefit. So a ``coordinator`` key may file at most
``CERTHUB_COORDINATOR_REPORTS_PER_HOUR`` reports (and zero reports) in any
rolling hour; the next is ``429 reports-rate-limited`` with ``Retry-After`` (the
seconds until the oldest counted report is an hour old), and the entrance keeps
it queued on the phone and sends it then.

The count is read from the ledger (the key's reports received in the last
hour), not kept in memory: it holds across the hub's processes on PostgreSQL
and across restarts. A key's reports take turns in each process (:class:`KeyTurns`):
the next is counted only once the one before it is recorded or refused, so a
thief sending a hundred at once over a hundred connections gets no more than one
by one. Reports of one key racing through several processes may each pass at the
bound's edge (one over it per other process). A re-sent report the ledger already holds gets its
receipt, whatever the count. Each refusal is a WARNING naming the key and its
area, and counts in ``certhub_ingress_rejections_total{reason=
"reports-rate-limited"}``, so the county sees a phone that hits it.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Final
from weakref import WeakValueDictionary

from pydantic import BaseModel

from certhub.hub.ingress.pipeline import Plan
from certhub.hub.problems import Problem
from certhub.hub.store.base import LedgerStore
from certhub.hub.store.effects import Effects
from certhub.schemas import Role
from certhub.security import VerifiedMessage

__all__ = ["HOUR", "KeyTurns", "ReportBound"]

log = logging.getLogger(__name__)

HOUR: Final = timedelta(hours=1)


class KeyTurns:
    """A lock per coordinator key (sender and ``kid``) in this process, while anyone holds it.

    Without it each of many reports sent at once reads the key's count before any
    other is recorded, and all pass. A phone sends one report at a time, so it
    never waits on itself; only the locks of keys with a report in flight are kept.
    """

    def __init__(self) -> None:
        self._locks: WeakValueDictionary[tuple[str, str], asyncio.Lock] = WeakValueDictionary()

    def of(self, sender: str, kid: str) -> asyncio.Lock:
        """The lock of ``sender``'s key ``kid`` (a new one when nobody holds it)."""
        lock = self._locks.get((sender, kid))
        if lock is None:
            lock = self._locks[(sender, kid)] = asyncio.Lock()
        return lock


class ReportBound:
    """Refuse a coordinator key's report past ``per_hour`` in the rolling hour before it.

    Args:
        store: the ledger, which holds every report a key filed and when.
        per_hour: reports one coordinator's key may file in any hour.
        turns: the process's locks, taken from the count until :meth:`release`.
        clock: the hub's time (aware); the ledger's ``received_at`` is the same clock.
    """

    def __init__(
        self,
        store: LedgerStore,
        per_hour: int,
        turns: KeyTurns,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._per_hour = per_hour
        self._clock = clock
        self._turns = turns
        self._held: asyncio.Lock | None = None

    def around(self, plan: Plan) -> Plan:
        """``plan``, run only once the sending key is within its bound."""

        async def bounded(message: VerifiedMessage, payload: BaseModel) -> Effects:
            await self.check(message)
            return await plan(message, payload)

        return bounded

    async def check(self, message: VerifiedMessage) -> None:
        """Pass anything but a coordinator's report past its bound, once the key's turn comes.

        Raises:
            Problem: ``reports-rate-limited`` with ``Retry-After``.
        """
        trusted = message.trusted
        if trusted.role != Role.coordinator:
            return
        turn = self._turns.of(trusted.sender, trusted.key.kid)
        await turn.acquire()
        self._held = turn
        now = self._clock().astimezone(UTC)
        filed, oldest = await self._store.reports_since(trusted.sender, trusted.key.kid, now - HOUR)
        if filed < self._per_hour or await self._filed_already(message):
            return
        wait = max(1, math.ceil((oldest + HOUR - now).total_seconds()))
        area = trusted.area.code if trusted.area is not None else "province"
        log.warning(
            "coordinator's reports bounded",
            extra={"sender": trusted.sender, "kid": trusted.key.kid, "area": area,
                   "reports_last_hour": filed, "retry_after": wait},
        )  # fmt: skip
        raise Problem(
            "reports-rate-limited",
            f"this key filed {filed} reports in the last hour, the most it may; the report "
            "is not recorded: send it again after Retry-After",
            headers={"Retry-After": str(wait)},
        )

    def release(self) -> None:
        """End the key's turn (once its report is recorded or refused); nothing if none."""
        if self._held is not None:
            self._held.release()
            self._held = None

    async def _filed_already(self, message: VerifiedMessage) -> bool:
        """A re-send of bytes the ledger holds: the sender gets its receipt back."""
        existing = await self._store.find(message.sender, message.jti)
        return existing is not None and existing.sha256 == message.digest
