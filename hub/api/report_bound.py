"""A bound on what one coordinator sends in an hour: a stolen phone's reach before revocation.

A village files a few reports a month; a stolen phone, before the county revokes
its key, could file a death report for every pensioner of its village in a
minute, each a review item and, once approved, a verification holding a
benefit. So a ``coordinator`` key may file at most
``CERTHUB_COORDINATOR_REPORTS_PER_HOUR`` reports (and zero reports) in any
rolling hour; the next is ``429 reports-rate-limited`` with ``Retry-After`` (the
seconds until the oldest counted report is an hour old), and the entrance keeps
it queued on the phone and sends it then. The same phone could fill the evidence
vault (each file up to ``CERTHUB_EVIDENCE_MAX_BYTES``, kept for years) until it
cannot write, and every counter's certification with a photo would be 503
province-wide; a village cites a few photos a month. So a coordinator may upload at
most ``CERTHUB_COORDINATOR_UPLOADS_PER_HOUR`` evidence files (each counted once) in
any rolling hour, then ``429 uploads-rate-limited`` the same way. Staff keys are not bounded.

One :class:`HourlyBound` does both; each :class:`Sending` names what it counts.
The count is read from the ledger (the key's reports received in the last hour;
the coordinator's ``evidence_stored`` audit links, one a file, whichever of its keys
uploaded it), not kept in memory: it holds across the hub's processes and across
restarts. A coordinator's sending of one kind takes turns in each process
(:class:`KeyTurns`): the next is counted only once the one before it is recorded or
refused, so a thief sending a hundred at once over a hundred connections gets no
more than one by one. The turn also holds across the hub's processes
(:class:`SharedTurns`): on PostgreSQL an advisory lock
(:mod:`certhub.hub.store.postgres.turns`), on SQLite a file lock in the data folder
its processes share (:mod:`certhub.hub.store.sqlite.turns`); sendings racing through
several processes each passed at the bound's edge, one over it per other process. A
re-send the hub already holds
(a report's bytes, a file this coordinator stored) gets its answer, whatever the
count. Each refusal is a WARNING naming the key and its area, and is counted
(``certhub_ingress_rejections_total{reason="reports-rate-limited"}``,
``certhub_evidence_refused_total{reason="uploads-rate-limited"}``), so the county
sees a phone that hits it.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final, Protocol, runtime_checkable
from weakref import WeakValueDictionary

from pydantic import BaseModel

from certhub.hub.ingress.pipeline import Plan
from certhub.hub.problems import Problem
from certhub.hub.store.base import LedgerStore
from certhub.hub.store.effects import Effects
from certhub.schemas import Role
from certhub.security import AreaScope, VerifiedMessage

__all__ = [
    "HOUR",
    "REPORTS",
    "UPLOADS",
    "HourlyBound",
    "KeyTurns",
    "ReportBound",
    "Sender",
    "Sending",
    "SharedTurns",
]

log = logging.getLogger(__name__)

HOUR: Final = timedelta(hours=1)

Count = Callable[[datetime], Awaitable[tuple[int, datetime]]]
"""How many were sent after a time, and when the first of them was (that time if none)."""


@dataclass(frozen=True, slots=True)
class Sending:
    """One kind of sending a bound counts: its name in messages, its refusal's slug, and
    whether it is counted per key (else per sender: all of a coordinator's keys)."""

    noun: str
    slug: str
    not_kept: str
    per_key: bool


REPORTS: Final = Sending("reports", "reports-rate-limited", "the report is not recorded", True)
# The audit link of a stored file names its uploader, not the key: per sender, stricter.
UPLOADS: Final = Sending(
    "evidence files", "uploads-rate-limited", "the file is not stored", per_key=False
)


@dataclass(frozen=True, slots=True)
class Sender:
    """Who sends: the signer, its key, its role and its area (``None``: the province)."""

    sender: str
    kid: str
    role: str | None
    area: AreaScope | None


class KeyTurns:
    """A lock per coordinator key (sender and ``kid``) in this process, while anyone holds it.

    Without it each of many sendings at once reads the key's count before any other
    is recorded, and all pass. A phone sends one at a time, so it never waits on
    itself; only the locks of keys with a sending in flight are kept.
    """

    def __init__(self) -> None:
        self._locks: WeakValueDictionary[tuple[str, str], asyncio.Lock] = WeakValueDictionary()

    def of(self, sender: str, kid: str) -> asyncio.Lock:
        """The lock of ``sender``'s key ``kid`` (a new one when nobody holds it)."""
        lock = self._locks.get((sender, kid))
        if lock is None:
            lock = self._locks[(sender, kid)] = asyncio.Lock()
        return lock


@runtime_checkable
class SharedTurns(Protocol):
    """Turns that hold in every process of the deployment (PostgreSQL's store, or the
    SQLite data folder's file locks)."""

    def key_turn(self, key: str) -> AbstractAsyncContextManager[None]:
        """Wait for ``key``'s turn in every process, and hold it until the block ends."""
        ...


class HourlyBound:
    """Refuse a coordinator's sending past ``per_hour`` in the rolling hour before it.

    Args:
        sending: what is counted, and the slug of its refusal.
        per_hour: how many one coordinator's key may send in any hour.
        turns: the process's locks of this sending, taken from the count until
            :meth:`release`.
        shared: the same turns across the hub's processes, taken after the process's
            and released before it (``None``: this process's only).
        clock: the hub's time (aware); the ledger's time stamps are the same clock.
    """

    def __init__(
        self,
        sending: Sending,
        per_hour: int,
        turns: KeyTurns,
        *,
        shared: SharedTurns | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sending = sending
        self._per_hour = per_hour
        self._clock = clock
        self._turns = turns
        self._shared = shared
        self._held: asyncio.Lock | None = None
        self._held_shared: AsyncExitStack | None = None

    async def admit(self, who: Sender, count: Count, resent: Callable[[], Awaitable[bool]]) -> None:
        """Pass anything but a coordinator's sending past its bound, once its turn comes.

        Args:
            who: the verified sender.
            count: its sendings of this kind after a time (the ledger's).
            resent: whether this one is a re-send the hub already holds.

        Raises:
            Problem: the sending's slug (429) with ``Retry-After``.
        """
        if who.role != Role.coordinator:
            return
        kid = who.kid if self._sending.per_key else ""
        turn = self._turns.of(who.sender, kid)
        await turn.acquire()
        self._held = turn
        if self._shared is not None:  # and the other processes' sendings of the key
            held = AsyncExitStack()
            await held.enter_async_context(
                self._shared.key_turn(f"{self._sending.slug}:{who.sender}:{kid}")
            )
            self._held_shared = held
        now = self._clock().astimezone(UTC)
        sent, oldest = await count(now - HOUR)
        if sent < self._per_hour or await resent():
            return
        wait = max(1, math.ceil((oldest + HOUR - now).total_seconds()))
        noun = self._sending.noun
        log.warning(
            "coordinator's %s bounded", noun,
            extra={"sender": who.sender, "kid": who.kid,
                   "area": who.area.code if who.area is not None else "province",
                   "sent_last_hour": sent, "retry_after": wait},
        )  # fmt: skip
        raise Problem(
            self._sending.slug,
            f"this key sent {sent} {noun} in the last hour, the most it may; "
            f"{self._sending.not_kept}: send it again after Retry-After",
            headers={"Retry-After": str(wait)},
        )

    async def release(self) -> None:
        """End the key's turn (once its sending is recorded or refused); nothing if none."""
        held, self._held_shared = self._held_shared, None
        try:
            if held is not None:
                await held.aclose()
        finally:
            if self._held is not None:
                self._held.release()
                self._held = None


class ReportBound(HourlyBound):
    """:class:`HourlyBound` of a coordinator key's reports, read from the ledger.

    Args:
        store: the ledger, which holds every report a key filed and when.
        per_hour: reports one coordinator's key may file in any hour.
        turns: the process's locks of reports.
        shared: the same turns across the hub's processes.
        clock: the hub's time (aware); the ledger's ``received_at`` is the same clock.
    """

    def __init__(
        self,
        store: LedgerStore,
        per_hour: int,
        turns: KeyTurns,
        *,
        shared: SharedTurns | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(REPORTS, per_hour, turns, shared=shared, clock=clock)
        self._store = store

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
        if trusted.role != Role.coordinator:  # every report passes here: nothing built for it
            return
        who = Sender(trusted.sender, trusted.key.kid, trusted.role, trusted.area)

        async def filed(since: datetime) -> tuple[int, datetime]:
            return await self._store.reports_since(who.sender, who.kid, since)

        async def filed_already() -> bool:  # a re-send gets its receipt back
            existing = await self._store.find(message.sender, message.jti)
            return existing is not None and existing.sha256 == message.digest

        await self.admit(who, filed, filed_already)
