"""The ledger's record of a run split by city, on both dialects: claims, retries, leases."""

from __future__ import annotations

from ledger_backends import Backend

from certhub.hub.store.comparison_jobs import PartitionHold, PartitionState

RUN = "2026-10-all"
LEASE = 60.0


async def test_a_partition_runs_once_per_claim_and_fails_after_its_attempts(
    ledger_factory: Backend,
) -> None:
    ledger = await ledger_factory.open()
    try:
        await ledger.plan_partitions(RUN, "2026-10", ("4401", "4453"), now=100.0)
        assert [(p.city, p.state, p.attempts) for p in await ledger.partitions(RUN)] == [
            ("4401", PartitionState.QUEUED, 0),
            ("4453", PartitionState.QUEUED, 0),
        ]
        w1, w2, w3 = (PartitionHold(RUN, "4453", holder) for holder in ("w1", "w2", "w3"))
        assert await ledger.claim_partition(w1, now=101.0, lease=LEASE) == 1
        # the same job delivered again while the first worker is alive: not claimable
        assert await ledger.claim_partition(w2, now=102.0, lease=LEASE) is None
        failed = await ledger.settle_partition(
            w1, error="attempt 1: disk full", max_attempts=2, now=103.0
        )
        assert failed is PartitionState.RETRYING
        assert await ledger.claim_partition(w2, now=104.0, lease=LEASE) == 2
        # the first holder's late word changes nothing once w2 holds the partition
        late = await ledger.settle_partition(w1, error=None, max_attempts=2, now=105.0)
        assert late is None
        last = await ledger.settle_partition(
            w2, error="attempt 2: disk full", max_attempts=2, now=106.0
        )
        assert last is PartitionState.FAILED
        assert await ledger.claim_partition(w3, now=107.0, lease=LEASE) is None
        row = {p.city: p for p in await ledger.partitions(RUN)}["4453"]
        assert (row.state, row.attempts, row.error) == (
            PartitionState.FAILED, 2, "attempt 2: disk full"
        )  # fmt: skip
        actions = [e.action for e in await ledger.audit_entries(0, 100)]
        assert actions.count("comparison_partition_queued") == 2
        assert actions.count("comparison_partition_claimed") == 2
        assert actions.count("comparison_partition_failed") == 2
    finally:
        await ledger.aclose()


async def test_a_silent_holders_partition_is_taken_over_after_the_lease(
    ledger_factory: Backend,
) -> None:
    ledger = await ledger_factory.open()
    try:
        await ledger.plan_partitions(RUN, "2026-10", ("4401",), now=0.0)
        w1, w2 = PartitionHold(RUN, "4401", "w1"), PartitionHold(RUN, "4401", "w2")
        assert await ledger.claim_partition(w1, now=10.0, lease=LEASE) == 1
        await ledger.touch_partition(w1, now=50.0)  # still at work
        assert await ledger.claim_partition(w2, now=50.0 + LEASE, lease=LEASE) is None
        await ledger.touch_partition(w2, now=60.0)  # not its holder: nothing
        assert await ledger.claim_partition(w2, now=51.0 + LEASE, lease=LEASE) == 2
        done = await ledger.settle_partition(w2, error=None, max_attempts=3, now=120.0)
        assert done is PartitionState.DONE
        await ledger.plan_partitions("2026-11-all", "2026-11", ("4401",), now=0.0)
        w3 = PartitionHold("2026-11-all", "4401", "w3")
        assert await ledger.claim_partition(w3, now=1, lease=LEASE) == 1
        await ledger.settle_partition(w3, error="attempt 1: busy", max_attempts=3, now=2.0)
        assert await ledger.claim_partition(w3, now=3, lease=LEASE) == 2
        await ledger.settle_partition(w3, error=None, max_attempts=3, now=4.0)
        retried = (await ledger.partitions("2026-11-all"))[0]
        assert (retried.state, retried.error) == (PartitionState.DONE, "attempt 1: busy")
        # the first worker, back from the dead, cannot overwrite the outcome
        gone = await ledger.settle_partition(w1, error="late", max_attempts=3, now=121.0)
        assert gone is None
        # planning the period again queues every city afresh (a re-run)
        await ledger.plan_partitions(RUN, "2026-10", ("4401",), now=130.0)
        again = (await ledger.partitions(RUN))[0]
        assert (again.state, again.attempts, again.error) == (PartitionState.QUEUED, 0, None)
        assert await ledger.partitions("2026-12-all") == []
    finally:
        await ledger.aclose()
