"""Receipts signed ahead of their transaction, while the messages wait in the queue.

A receipt names the ledger sequence its message will get, and the embedded
ledger assigns sequences itself, in queue order: so each append's sequence
can be foreseen as it joins the queue, and its receipt signed then (by the
signature helper, on another core) while earlier batches commit. A receipt
is used only if the message really gets the sequence it was signed for;
otherwise (a re-send takes no sequence, a failed batch gives its sequences
back) the transaction signs it again. Presigning moves work; it never
decides a receipt.

A batch waits only for its own receipts: the group commit takes the queued
appends whose receipts are already signed, from the first (all of them when
the first is not), and the signatures of those behind them finish on the
helper while it commits. Waiting for the whole queue's signatures held every
batch for the newest arrivals' round trip, a third of each commit's cycle at
half the hub's peak (``bench/ingress_tail.py``).
"""

from __future__ import annotations

import asyncio
import logging

from certhub.hub.store.base import Presigner
from certhub.hub.store.group_commit import Append, Job

log = logging.getLogger(__name__)


class Presigning:
    """Receipts of queued appends, signed in batches as they arrive."""

    def __init__(self, presigner: Presigner) -> None:
        self._presigner = presigner
        self._queued: list[tuple[Append, int]] = []
        self._running: set[asyncio.Task[None]] = set()

    def expect(self, job: Append, sequence: int) -> None:
        """Sign ``job``'s receipt for ``sequence`` soon (with the others of this loop turn)."""
        if not self._queued:
            asyncio.get_running_loop().call_soon(self._start)
        self._queued.append((job, sequence))

    def signed_prefix(self, jobs: list[Job], first_sequence: int) -> int:
        """How many of ``jobs``, from the first, hold the receipt for the sequence they get.

        The group commit takes those first: the transaction need not wait for
        signatures still on the helper, which finish while it commits.
        """
        sequence = first_sequence
        for count, job in enumerate(jobs):
            if isinstance(job, Append):
                if not signed_for(job, sequence):
                    return count
                sequence += 1
        return len(jobs)

    async def ready(self, batch: list[Job], first_sequence: int) -> None:
        """Finish presigning ``batch``, whose first append gets ``first_sequence``."""
        self._start()
        # Only until this batch is signed: later appends' signatures, still on the
        # helper, finish while it commits.
        while self._running and self.signed_prefix(batch, first_sequence) < len(batch):
            await asyncio.wait(self._running, return_when=asyncio.FIRST_COMPLETED)
        appends = [job for job in batch if isinstance(job, Append)]
        await self._sign([(job, first_sequence + i) for i, job in enumerate(appends)])

    def _start(self) -> None:
        queued, self._queued = self._queued, []
        if queued:
            task = asyncio.get_running_loop().create_task(self._sign(queued))
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _sign(self, expected: list[tuple[Append, int]]) -> None:
        wanted = [(job, sequence) for job, sequence in expected if not signed_for(job, sequence)]
        if not wanted:
            return
        try:
            receipts = await self._presigner([(job.receipt_for, seq) for job, seq in wanted])
        except Exception:  # the transaction signs each receipt itself, with per-message errors
            log.exception("presigning receipts failed; signing them in the transaction")
            return
        for (job, sequence), receipt in zip(wanted, receipts, strict=True):
            if receipt is not None:
                job.presigned = (sequence, receipt)


def signed_for(job: Append, sequence: int) -> bool:
    """Whether ``job`` holds a receipt signed ahead for ``sequence``."""
    return job.presigned is not None and job.presigned[0] == sequence
