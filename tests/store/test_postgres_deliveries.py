"""Deliveries on PostgreSQL: recorded set-based, per group write, and checked in batches.

Consumers report deliveries concurrently; the ledger records those that wait
for the same group write with one statement. Whatever the batch holds, each
id is recorded once (a duplicate in the batch, or an id recorded before,
counts 0 and repeats nothing), its outbox row and notice close, the audit
chain gets one link per recorded id in the order they were reported and
``certhub audit verify`` passes; a write that fails records none of its
batch and every caller hears so.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
from clirun import run_cli
from ledgerkit import signed_zero_report

from certhub.hub.audit import checkpoint_signer
from certhub.hub.store import NewMessage, StoreUnavailable
from certhub.hub.store.audit_chain import first_broken
from certhub.hub.store.effects import Effects, NoticeWrite, OutboxWrite
from certhub.hub.store.outbox import OutboxState
from certhub.hub.store.postgres import PostgresLedger
from certhub.hub.store.records import draft_receipt
from certhub.security import HubKeyring, ReceiptSigner, SigningKey, TrustStore

T0 = datetime(2024, 4, 2, 8, 0, tzinfo=UTC)
SENDER = SigningKey.generate()


def signed(n: int) -> NewMessage:
    """A record ``certhub audit verify`` accepts (signed by a sender in the trust store)."""
    return signed_zero_report(n, SENDER)


ANY_HUB = ReceiptSigner(SigningKey.generate())
"""Signs the receipts of a test that does not verify the ledger."""


async def queue(
    ledger: PostgresLedger,
    *ids: str,
    notices: tuple[str, ...] = (),
    receipts: ReceiptSigner = ANY_HUB,
) -> None:
    """Commit one record queuing a ministry delivery per id and an SMS per notice id; its
    receipt signed by ``receipts`` (the hub's key when the test verifies the ledger)."""
    writes = tuple(OutboxWrite(i, "ministry", "push", b"{}") for i in ids)
    sms = tuple(NoticeWrite(i, "P1", "certification_result", "text") for i in notices)
    message = signed(len(ids))
    await ledger.append(
        message, draft_receipt(receipts, message), Effects(outbox=writes, notices=sms)
    )


async def report(ledger: PostgresLedger, *reported: str) -> list[int]:
    """Report deliveries concurrently, as consumers do; each call's result."""
    destination = {True: "sms", False: "ministry"}
    return list(
        await asyncio.gather(
            *(ledger.mark_delivered(i, destination[i.startswith("n")], T0) for i in reported)
        )
    )


async def chain(ledger: PostgresLedger) -> list[tuple[str, str]]:
    """The audit chain's (action, subject) after checking that every link verifies."""
    entries = list(await ledger.audit_entries(0, 100_000))
    assert first_broken(entries) is None
    return [(e.action, e.subject) for e in entries]


async def test_deliveries_reported_together_are_recorded_in_one_group_write(pg_url: str) -> None:
    commits: list[int] = []
    ledger = await PostgresLedger.open(pg_url, on_commit=commits.append)
    await queue(ledger, "m0", "m1", "m2", "m3", notices=("n1",))
    before = len(commits)
    assert await report(ledger, "m0", "m1", "n1", "m2") == [1, 1, 1, 1]
    assert commits[before:] == [1]  # one job in one group commit for all four
    for delivery_id in ("m0", "m1", "n1", "m2"):
        row = await ledger.get_outbox(delivery_id)
        assert row is not None
        assert row.state is OutboxState.DELIVERED
    assert (await ledger.get_outbox("m3")).state is OutboxState.PENDING  # type: ignore[union-attr]
    assert await ledger.pending_notices(10) == []
    assert (await chain(ledger))[1:] == [
        ("delivered", "m0"),
        ("delivered", "m1"),
        ("notice_sent", "n1"),
        ("delivered", "m2"),
    ]
    await ledger.aclose()


async def test_redeliveries_in_a_batch_count_once_and_are_chained_once(
    pg_url: str, tmp_path: Path
) -> None:
    keyring = HubKeyring.load_or_create(tmp_path / "keys")
    TrustStore.empty().add(
        SENDER.public_jwk(), sender="city", may_send=["zero_report/v1"], may_read=False
    ).save(tmp_path / "trust.jwks.json")
    # a checkpoint every 3 links: some fall inside the batches' links
    signer = checkpoint_signer(lambda: keyring.active, "certhub")
    ledger = await PostgresLedger.open(pg_url, checkpoint=signer, checkpoint_every=3)
    await queue(ledger, "m0", "m1", "m2", "m3", "m4", receipts=ReceiptSigner(keyring.active))
    assert await report(ledger, "m1") == [1]
    # m1 was recorded before, m0 and m2 come twice (two workers, a relay that published twice)
    assert await report(ledger, "m0", "m1", "m0", "m2", "m3", "m2") == [1, 0, 0, 1, 1, 0]
    assert await report(ledger, "m3", "m4") == [0, 1]
    assert (await chain(ledger))[1:] == [
        ("delivered", "m1"),
        ("delivered", "m0"),
        ("delivered", "m2"),
        ("delivered", "m3"),
        ("delivered", "m4"),
    ]
    await ledger.aclose()
    verify = ("audit", "verify", "--data", str(tmp_path), "--database-url", pg_url)
    code, output = await run_cli(*verify)
    assert code == 0, output
    assert "audit entries 6" in output


async def test_a_failed_group_write_records_none_of_its_batch(pg_url: str) -> None:
    ledger = await PostgresLedger.open(pg_url)
    await queue(ledger, "m0", "m1", "m2")
    await _refuse_delivery(pg_url, "m1")
    outcomes = await asyncio.gather(
        *(ledger.mark_delivered(i, "ministry", T0) for i in ("m0", "m1", "m2")),
        return_exceptions=True,
    )
    assert all(isinstance(outcome, StoreUnavailable) for outcome in outcomes), outcomes
    assert [await ledger.is_delivered(i) for i in ("m0", "m1", "m2")] == [False] * 3
    assert (await ledger.get_outbox("m0")).state is OutboxState.PENDING  # type: ignore[union-attr]
    assert await chain(ledger) == [("message_accepted", "1")]
    await _refuse_delivery(pg_url, None)
    assert await report(ledger, "m0", "m1", "m2") == [1, 1, 1]  # the broker hands them out again
    assert [action for action, _ in await chain(ledger)] == ["message_accepted"] + ["delivered"] * 3
    await ledger.aclose()


async def test_a_caller_that_goes_away_still_has_its_delivery_recorded(pg_url: str) -> None:
    ledger = await PostgresLedger.open(pg_url)
    await queue(ledger, "m0", "m1")
    gone = asyncio.ensure_future(ledger.mark_delivered("m0", "ministry", T0))
    await asyncio.sleep(0)  # reported: it waits for the group write
    gone.cancel()
    assert await report(ledger, "m1") == [1]  # joins the batch m0 waits in
    assert gone.cancelled()
    assert [await ledger.is_delivered(i) for i in ("m0", "m1")] == [True, True]
    assert [subject for _, subject in await chain(ledger)][1:] == ["m0", "m1"]
    await ledger.aclose()


async def test_checks_made_together_see_every_earlier_record_and_a_closed_ledger_refuses(
    pg_url: str,
) -> None:
    ledger = await PostgresLedger.open(pg_url)
    await queue(ledger, "m0", "m1", "m2", "m3")
    await report(ledger, "m1", "m3")
    ids = ("m0", "m1", "m2", "m3", "m1", "unknown")
    checks = await asyncio.gather(*(ledger.is_delivered(i) for i in ids))
    assert checks == [False, True, False, True, True, False]
    await report(ledger, "m0")
    assert await ledger.is_delivered("m0")  # a check after a record sees it
    await ledger.aclose()
    with pytest.raises(StoreUnavailable):
        await ledger.is_delivered("m0")
    closed = await asyncio.gather(
        *(ledger.mark_delivered(i, "ministry", T0) for i in ("m2", "m3")), return_exceptions=True
    )
    assert all(isinstance(outcome, StoreUnavailable) for outcome in closed), closed


async def _refuse_delivery(url: str, delivery_id: str | None) -> None:
    """Make recording ``delivery_id`` fail inside the database (None: stop refusing)."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("DROP TRIGGER IF EXISTS refuse ON deliveries")
        if delivery_id is None:
            return
        await conn.execute(
            "CREATE OR REPLACE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN IF NEW.delivery_id = '{delivery_id}' THEN RAISE EXCEPTION 'refused';"
            " END IF; RETURN NEW; END $$"
        )
        await conn.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON deliveries"
            " FOR EACH ROW EXECUTE FUNCTION refuse()"
        )
    finally:
        await conn.close()
