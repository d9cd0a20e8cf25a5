"""Ingress processes write the embedded ledger through its one writer, over a Unix socket.

The writer keeps what a single SQLite writer guarantees: one sequence per
message in commit order, one audit chain, receipts naming the sequence the
record really got, idempotent re-sends, refusals with their slug — and a
call returns only after its commit.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import pickle
import stat
from pathlib import Path

import pytest
from ledgerkit import signed_zero_report

from certhub.hub.rules.decisions import ItemKind
from certhub.hub.store import SqliteLedger
from certhub.hub.store.base import Conflict, ReplayConflict, StoreUnavailable
from certhub.hub.store.effects import Effects, ItemOpen, ZeroReportGuard
from certhub.hub.store.records import NewMessage, draft_receipt
from certhub.hub.store.sqlite.writer_client import WriterClientLedger
from certhub.hub.store.sqlite.writer_server import LedgerWriterServer
from certhub.hub.store.sqlite.writer_wire import FrameError, decode, encode
from certhub.security import ReceiptDraft, ReceiptSigner, SigningKey, verify_receipt

SENDER_KEY = SigningKey.generate()
HUB_KEY = SigningKey.generate()
SIGNER = ReceiptSigner(HUB_KEY, hub_id="certhub-test")


def draft(message: NewMessage) -> ReceiptDraft:
    """The pipeline's receipt draft of ``message``."""
    return draft_receipt(SIGNER, message)


@pytest.fixture
async def writer(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A writer process's ledger and its channel's socket."""
    ledger = await SqliteLedger.open(tmp_path / "ledger.sqlite3")
    server = LedgerWriterServer(ledger, lambda: SIGNER, tmp_path / "writer.sock")
    await server.start()
    yield ledger, server, tmp_path
    await server.aclose()
    await ledger.aclose()


async def test_two_ingress_processes_share_one_sequence_and_audit_chain(writer) -> None:  # type: ignore[no-untyped-def]
    ledger, _, folder = writer
    clients = [
        await WriterClientLedger.connect(folder / "ledger.sqlite3", folder / "writer.sock")
        for _ in range(2)
    ]
    try:
        messages = [signed_zero_report(n, SENDER_KEY) for n in range(60)]
        own = [signed_zero_report(n, SENDER_KEY) for n in range(60, 80)]  # the writer's own
        outcomes = await asyncio.gather(
            *(clients[n % 2].append(m, draft(m)) for n, m in enumerate(messages)),
            *(ledger.append(m, draft(m)) for m in own),
        )
        # committed when answered: the other process reads it at once from the file
        seen = await clients[1].get_record(outcomes[0].record.sequence)
    finally:
        for client in clients:
            await client.aclose()
    sequences = sorted(o.record.sequence for o in outcomes)
    assert sequences == list(range(1, 81))
    assert seen is not None
    assert seen.message_id == outcomes[0].record.message_id
    jwks = {"keys": [HUB_KEY.public_jwk()]}
    for outcome in outcomes:
        claims = verify_receipt(outcome.record.receipt, jwks, hub_id="certhub-test")
        assert claims["ledger_sequence"] == outcome.record.sequence
    entries = await ledger.audit_entries(0, 1000)
    assert [e.subject for e in entries if e.action == "message_accepted"] == [
        str(s) for s in range(1, 81)
    ]


async def test_resend_replay_and_refusal_cross_the_channel(writer) -> None:  # type: ignore[no-untyped-def]
    _, _, folder = writer
    client = await WriterClientLedger.connect(folder / "ledger.sqlite3", folder / "writer.sock")
    try:
        first = signed_zero_report(1, SENDER_KEY)
        created = await client.append(first, draft(first))
        again = await client.append(first, draft(first))
        assert (created.created, again.created) == (True, False)
        assert again.record.receipt == created.record.receipt
        other = signed_zero_report(2, SENDER_KEY)
        await client.append(other, draft(other))
        forged = dataclasses.replace(other, message_id="m1", sha256="0" * 64)  # m1 reused
        with pytest.raises(ReplayConflict):
            await client.append(forged, draft(forged))
        guarded = signed_zero_report(3, SENDER_KEY)
        guard = Effects(zero_report_guard=ZeroReportGuard(unit="440103", period="2026-01"))
        outcome = await client.append(guarded, draft(guarded), guard)
        assert outcome.created
        with pytest.raises(TypeError):
            await client.append(other, lambda sequence: "a receipt not drafted from the message")
        await client.record_audit("evidence_stored", "sha", "city", "0" * 64)
        entries = await client.audit_entries(0, 100)
        assert entries[-1].action == "evidence_stored"
    finally:
        await client.aclose()


async def test_a_refusal_keeps_its_slug_across_the_channel() -> None:
    refused = decode(encode(7, Conflict("zero-report-conflict", "reports exist", {"n": 1}))[12:])
    assert isinstance(refused, Conflict)
    assert (refused.slug, refused.detail, dict(refused.extensions)) == (
        "zero-report-conflict",
        "reports exist",
        {"n": 1},
    )


def test_a_frame_naming_any_other_class_is_refused() -> None:
    with pytest.raises(FrameError, match=r"may not name posix\.system"):
        decode(pickle.dumps(os.system))
    with pytest.raises(FrameError, match="malformed"):
        decode(b"\x80\x05 not a pickle")


async def test_socket_is_the_owners_only_and_a_lost_writer_is_unavailable(writer) -> None:  # type: ignore[no-untyped-def]
    ledger, server, folder = writer
    socket_path = folder / "writer.sock"
    assert stat.S_IMODE(socket_path.stat().st_mode) == 0o600
    client = await WriterClientLedger.connect(folder / "ledger.sqlite3", socket_path)
    try:
        await server.aclose()
        message = signed_zero_report(9, SENDER_KEY)
        with pytest.raises(StoreUnavailable):
            await client.append(message, draft(message))
        with pytest.raises(StoreUnavailable):
            await client.ping()
        assert await ledger.count() == 0
        # the writer back (a restart): the next call connects again
        await server.start()
        outcome = await client.append(message, draft(message))
        assert outcome.record.sequence == 1
    finally:
        await client.aclose()


async def test_no_writer_refuses_the_ingress_ledger(tmp_path: Path) -> None:
    ledger = await SqliteLedger.open(tmp_path / "ledger.sqlite3")
    await ledger.aclose()
    with pytest.raises(StoreUnavailable, match="no ledger writer"):
        await WriterClientLedger.connect(tmp_path / "ledger.sqlite3", tmp_path / "none.sock")


async def test_an_item_under_review_opens_through_the_channel(writer) -> None:  # type: ignore[no-untyped-def]
    _, _, folder = writer
    client = await WriterClientLedger.connect(folder / "ledger.sqlite3", folder / "writer.sock")
    try:
        message = signed_zero_report(4, SENDER_KEY)
        # a rule's enumeration in an effect's str field travels as its value
        outcome = await client.append(
            message, draft(message), Effects(item=ItemOpen(ItemKind("report")))
        )
        item = await client.get_item(outcome.record.sequence)
    finally:
        await client.aclose()
    assert item is not None
    assert (item.kind, item.status) == ("report", "received")


async def test_a_malformed_call_is_refused_and_the_channel_stays_open(writer) -> None:  # type: ignore[no-untyped-def]
    _, _, folder = writer
    client = await WriterClientLedger.connect(folder / "ledger.sqlite3", folder / "writer.sock")
    try:
        with pytest.raises(StoreUnavailable, match="malformed ledger call"):
            await client._channel.call("drop_table", "ledger")
        with pytest.raises(StoreUnavailable, match="malformed ledger call"):
            await client._channel.call("append", "not a message", None)
        message = signed_zero_report(5, SENDER_KEY)
        assert (await client.append(message, draft(message))).record.sequence == 1
    finally:
        await client.aclose()
