"""Receipts signed ahead of the transaction: used only for the sequence they were signed for.

The embedded ledger foresees each append's sequence as it joins the queue and
has its receipt signed then. Whatever the presigner does, every stored
receipt must name the sequence its record really got.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest
from ledgerkit import signed_zero_report

from certhub.hub.ingress.pipeline import receipt_presigner
from certhub.hub.store import AppendOutcome, ReceiptFactory, SqliteLedger
from certhub.security import ReceiptSigner, SignatureHelper, SigningKey, verify_receipt

SENDER_KEY = SigningKey.generate()


class TaggingPresigner:
    """Signs every receipt as ``pre-<sequence>`` and remembers what it was asked."""

    def __init__(self) -> None:
        self.asked: list[int] = []

    async def __call__(self, requests: Sequence[tuple[ReceiptFactory, int]]) -> list[str | None]:
        await asyncio.sleep(0)  # answer on a later loop turn, like the helper
        self.asked += [sequence for _, sequence in requests]
        return [f"pre-{sequence}" for _, sequence in requests]


def inline(sequence: int) -> str:
    """The receipt the transaction signs itself."""
    return f"inline-{sequence}"


async def append_all(ledger: SqliteLedger, numbers: Sequence[int]) -> list[AppendOutcome]:
    """Append the zero reports ``numbers`` concurrently (they share group commits)."""
    return list(
        await asyncio.gather(
            *(ledger.append(signed_zero_report(n, SENDER_KEY), inline) for n in numbers)
        )
    )


@pytest.fixture
def presigner() -> TaggingPresigner:
    """A presigner that tags what it signs."""
    return TaggingPresigner()


@pytest.fixture
async def ledger(tmp_path: Path, presigner: TaggingPresigner) -> AsyncIterator[SqliteLedger]:
    """An embedded ledger that has its receipts signed ahead by ``presigner``."""
    opened = await SqliteLedger.open(tmp_path / "l.db", presigner=presigner)
    yield opened
    await opened.aclose()


def receipt_sequence(receipt: str) -> int:
    """The sequence a tagged receipt was made for."""
    return int(receipt.rsplit("-", 1)[1])


async def test_receipts_signed_ahead_are_used_for_the_sequences_they_name(
    ledger: SqliteLedger,
) -> None:
    outcomes = await append_all(ledger, range(60))
    outcomes += await append_all(ledger, range(60, 90))
    receipts = {outcome.record.sequence: outcome.record.receipt for outcome in outcomes}
    assert sorted(receipts) == list(range(1, 91))
    assert all(receipt == f"pre-{sequence}" for sequence, receipt in receipts.items())


async def test_a_resent_message_takes_no_sequence_and_no_receipt_names_a_wrong_one(
    ledger: SqliteLedger, presigner: TaggingPresigner
) -> None:
    first = await append_all(ledger, range(10))
    # Re-sends in the middle of a burst: each takes no sequence, so every
    # sequence foreseen after it is off by one (or more).
    burst = await append_all(ledger, [*range(10, 20), 3, *range(20, 30), 5, *range(30, 40)])
    reopened = [outcome.record for outcome in [*first, *burst] if outcome.created]
    resent = [outcome for outcome in burst if not outcome.created]
    assert [outcome.record.receipt for outcome in resent] == [
        first[3].record.receipt,
        first[5].record.receipt,
    ]
    assert sorted(record.sequence for record in reopened) == list(range(1, 41))
    for record in reopened:
        assert receipt_sequence(record.receipt) == record.sequence, record.receipt
    assert len(presigner.asked) > 40  # mismatched ones were asked for again


async def test_a_failing_presigner_leaves_the_signing_to_the_transaction(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(requests: Sequence[tuple[ReceiptFactory, int]]) -> list[str | None]:
        raise RuntimeError("helper exploded")

    ledger = await SqliteLedger.open(tmp_path / "l.db", presigner=broken)
    try:
        with caplog.at_level(logging.ERROR, logger="certhub.hub.store.presign"):
            outcomes = await append_all(ledger, range(20))
    finally:
        await ledger.aclose()
    assert sorted(o.record.receipt for o in outcomes) == sorted(inline(s) for s in range(1, 21))
    assert "presigning receipts failed" in caplog.text


async def test_receipts_presigned_by_the_helper_equal_those_signed_in_the_transaction(
    tmp_path: Path,
) -> None:
    hub_key = SigningKey.generate()
    signer = ReceiptSigner(hub_key, hub_id="certhub-test")
    helper = await SignatureHelper.start()
    ledger = await SqliteLedger.open(tmp_path / "l.db", presigner=receipt_presigner(helper))
    try:
        messages = [signed_zero_report(n, SENDER_KEY) for n in range(40)]
        drafts = [
            signer.draft(
                message_id=m.message_id,
                sender=m.sender,
                digest=m.sha256,
                received_at=m.received_at,
                message_type=m.message_type,
            )
            for m in messages
        ]
        outcomes = await asyncio.gather(
            *(ledger.append(m, draft) for m, draft in zip(messages, drafts, strict=True))
        )
    finally:
        await ledger.aclose()
        await helper.aclose()
    jwks = {"keys": [hub_key.public_jwk()]}
    for outcome, draft in zip(outcomes, drafts, strict=True):
        record = outcome.record
        assert record.receipt == draft(record.sequence)  # Ed25519 is deterministic
        claims = verify_receipt(record.receipt, jwks, hub_id="certhub-test")
        assert claims["ledger_sequence"] == record.sequence


async def test_a_batch_does_not_wait_for_the_signatures_of_appends_queued_after_it(
    tmp_path: Path,
) -> None:
    """Appends signed ahead commit at once; those still on the helper follow in the next batch.

    While a first batch waits for its receipts, a second batch is queued and
    signed, then a third whose signing the helper holds. The second must not
    wait for the third's signatures.
    """
    first_signed, third_signed = asyncio.Event(), asyncio.Event()
    held = {1: first_signed, 3: third_signed}  # the helper's first and third calls
    asked: list[int] = []
    called = {1: asyncio.Event(), 3: asyncio.Event()}
    second_answered = asyncio.Event()

    async def helper(requests: Sequence[tuple[ReceiptFactory, int]]) -> list[str | None]:
        asked.append(len(requests))
        call = len(asked)
        if call in held:
            called[call].set()
            await held[call].wait()
        await asyncio.sleep(0)
        if call == 2:
            second_answered.set()
        return [f"pre-{sequence}" for _, sequence in requests]

    ledger = await SqliteLedger.open(tmp_path / "l.db", presigner=helper)
    try:
        first = asyncio.ensure_future(append_all(ledger, range(3)))
        await called[1].wait()
        second = asyncio.ensure_future(append_all(ledger, range(3, 6)))
        await second_answered.wait()
        third = asyncio.ensure_future(append_all(ledger, range(6, 9)))
        await called[3].wait()
        first_signed.set()
        outcomes = await asyncio.wait_for(asyncio.gather(first, second), timeout=5)
        assert not third.done()
        third_signed.set()
        committed = [*outcomes[0], *outcomes[1], *await third]
    finally:
        first_signed.set()
        third_signed.set()
        await ledger.aclose()
    assert asked == [3, 3, 3]
    assert {o.record.sequence: o.record.receipt for o in committed} == {
        sequence: f"pre-{sequence}" for sequence in range(1, 10)
    }
