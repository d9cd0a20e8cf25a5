"""The ledger's record of a comparison run's partitions: one row per run and city.

A run split by city (:mod:`certhub.hub.comparison.jobs`) is planned here — one
row per partition, ``queued`` — and each worker that takes a partition
*claims* it first under a token of its own (``holder``): only a ``queued`` or
``retrying`` partition, or one whose holder stopped *touching* it for longer
than the lease (the worker died), can be claimed, so a job delivered twice
(a broker's redelivery, a republished retry) runs once at a time. The holder
then *settles* it: ``done``, or ``retrying`` while attempts remain, else
``failed``; a settlement or touch under another token changes nothing (the
partition was taken over). Every change is one audited statement in the
ledger's next group commit (the SQL is in
:mod:`certhub.hub.store.comparison_job_writes`). Times are epoch seconds.

States::

    queued ──claim──▶ running ──ok──▶ done
                        │  ▲
                 failed │  │ claim (attempts left)
                        ▼  │
                      retrying ── (attempts used up) ──▶ failed
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Protocol

__all__ = [
    "COMPARISON_PARTITIONS",
    "ERROR_MAX",
    "HUB_ACTOR",
    "SETTLED",
    "PartitionHold",
    "PartitionLedger",
    "PartitionRow",
    "PartitionState",
    "partition_row",
]

COMPARISON_PARTITIONS: Final = """
CREATE TABLE comparison_partitions (
    run_id     {TEXT} NOT NULL,
    city       {TEXT} NOT NULL,
    period     {TEXT} NOT NULL,
    state      {TEXT} NOT NULL,
    attempts   INTEGER NOT NULL,
    error      {TEXT},
    holder     {TEXT},
    updated_at {REAL} NOT NULL,
    PRIMARY KEY (run_id, city)
)
"""
"""Schema step: a comparison run's partitions (``{…}``: the dialect's type names)."""

HUB_ACTOR: Final = "hub"


class PartitionState(StrEnum):
    """Where one partition of a run is."""

    QUEUED = "queued"
    RUNNING = "running"
    RETRYING = "retrying"  # failed, attempts left: its job is published again
    DONE = "done"
    FAILED = "failed"  # failed on its last attempt


SETTLED: Final = frozenset({PartitionState.DONE, PartitionState.FAILED})


@dataclass(frozen=True, slots=True)
class PartitionRow:
    """One partition of a run as the ledger has it."""

    run_id: str
    city: str
    period: str
    state: PartitionState
    attempts: int
    error: str | None
    updated_at: float


@dataclass(frozen=True, slots=True)
class PartitionHold:
    """One worker's hold on one partition of a run: ``holder`` is the worker's own token."""

    run_id: str
    city: str
    holder: str

    @property
    def subject(self) -> str:
        """The partition as its audit entries name it."""
        return f"{self.run_id}/{self.city}"


ERROR_MAX: Final = 500  # characters of a failure kept (one line, no ID number: see jobs.py)


def partition_row(values: tuple[object, ...]) -> PartitionRow:
    """A ``comparison_partitions`` row as read (both dialects' value types)."""
    run_id, city, period, state, attempts, error, updated_at = values
    return PartitionRow(
        str(run_id),
        str(city),
        str(period),
        PartitionState(str(state)),
        int(str(attempts)),
        None if error is None else str(error),
        float(str(updated_at)),
    )


class PartitionLedger(Protocol):
    """The ledger's role for a comparison run split by city (see the module's states)."""

    async def plan_partitions(
        self, run_id: str, period: str, cities: Sequence[str], *, now: float
    ) -> None:
        """Queue every city of ``run_id`` afresh (attempts 0): a re-run runs them all again."""
        ...

    async def claim_partition(self, hold: PartitionHold, *, now: float, lease: float) -> int | None:
        """Take the partition for its holder: the attempt number, or None (not claimable)."""
        ...

    async def touch_partition(self, hold: PartitionHold, *, now: float) -> None:
        """The holder is still at work on the partition (its lease starts again)."""
        ...

    async def settle_partition(
        self, hold: PartitionHold, *, error: str | None, max_attempts: int, now: float
    ) -> PartitionState | None:
        """Record the holder's attempt's outcome (``error`` None: done); the state, or None if
        the partition is no longer the holder's (a later claim took it over)."""
        ...

    async def partitions(self, run_id: str) -> list[PartitionRow]:
        """The partitions of ``run_id`` by city (empty: not a run split by city)."""
        ...
