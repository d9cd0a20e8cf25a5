"""Relays on several hosts: one relay's late release must not end another relay's lease.

A relay whose publish hung past its lease (the broker blocked it) finds the
row claimed again by another relay; when its own publish then fails, it
releases the rows it claimed. The release ended whatever lease the row had —
the second relay's too — so a third relay claimed the row while the second
was still publishing it, and the department got it from both.
"""

from __future__ import annotations

from ledger_backends import Ledger
from ledgerkit import receipt, unsigned_message

from certhub.hub.store.effects import Effects, OutboxWrite

T = 2e9
UPLINK = OutboxWrite("up-1", "ministry", "push_certification", b'{"a":1}')


async def test_a_release_ends_only_the_lease_the_releasing_relay_holds(ledger: Ledger) -> None:
    await ledger.append(unsigned_message(1), receipt, Effects(outbox=(UPLINK,)))
    (first,) = await ledger.claim_outbox(10, now=T, lease=30)  # relay A, then its publish hangs
    (second,) = await ledger.claim_outbox(10, now=T + 31, lease=30)  # A's lease over: relay B
    await ledger.release_leases({"up-1": first.next_attempt_at}, T + 32)  # A's publish fails
    assert await ledger.claim_outbox(10, now=T + 32, lease=30) == []  # B still holds it
    await ledger.release_leases({"up-1": second.next_attempt_at}, T + 33)  # B's fails too
    (third,) = await ledger.claim_outbox(10, now=T + 33, lease=30)
    assert third.delivery_id == "up-1"
