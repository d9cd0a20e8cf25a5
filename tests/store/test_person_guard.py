"""The person's guard (``hub/store/person_guard.py``) at the store: a message planned on a
person's roster entry, closure and tasks is refused when any changed before its commit —
also when an ingress process hands it to the SQLite writer over the channel."""

from __future__ import annotations

from pathlib import Path

import pytest
from ledgerkit import signed_zero_report

from certhub.hub.store import SqliteLedger
from certhub.hub.store.base import Conflict
from certhub.hub.store.effects import Effects, RosterWrite
from certhub.hub.store.person_guard import CertifiedGuard, PersonGuard
from certhub.hub.store.records import NewMessage, draft_receipt
from certhub.hub.store.sqlite.writer_client import WriterClientLedger
from certhub.hub.store.sqlite.writer_server import LedgerWriterServer
from certhub.hub.store.sqlite.writer_wire import decode, encode
from certhub.security import ReceiptDraft, ReceiptSigner, SigningKey

SENDER_KEY = SigningKey.generate()
SIGNER = ReceiptSigner(SigningKey.generate(), hub_id="certhub-test")
PERSON = "440103199001011234"


def draft(message: NewMessage) -> ReceiptDraft:
    """The pipeline's receipt draft of ``message``."""
    return draft_receipt(SIGNER, message)


def entry(paid_through: str) -> Effects:
    """The roster entry of :data:`PERSON`, paid through ``paid_through``."""
    snapshot = f'{{"paid_through":"{paid_through}"}}'.encode()
    return Effects(roster=RosterWrite(PERSON, f"2026-12-0{paid_through[-1]}", snapshot))


def test_a_guard_crosses_the_channel() -> None:
    """Before, the writer's unpickler named only the effects' module: every guarded message
    an ingress process handed over was refused as a malformed frame."""
    message = signed_zero_report(1, SENDER_KEY)
    guarded = Effects(person_guard=PersonGuard(PERSON, b"{}", "task-7", 3, None, 12))
    call = ("append", (message, guarded))
    assert decode(encode(5, call)[12:]) == call


def test_a_certified_guard_crosses_the_channel() -> None:
    """A suspension proposal's approval carries the register it read (CertifiedGuard): an
    ingress process hands it to the writer like the person's guard."""
    message = signed_zero_report(1, SENDER_KEY)
    guarded = Effects(certified_guard=CertifiedGuard(PERSON, 24321, None))
    call = ("append", (message, guarded))
    assert decode(encode(5, call)[12:]) == call


async def test_a_guarded_append_is_refused_when_the_roster_moved(tmp_path: Path) -> None:
    ledger = await SqliteLedger.open(tmp_path / "ledger.sqlite3")
    server = LedgerWriterServer(ledger, lambda: SIGNER, tmp_path / "writer.sock")
    await server.start()
    client = await WriterClientLedger.connect(tmp_path / "ledger.sqlite3", tmp_path / "writer.sock")
    try:
        first = signed_zero_report(1, SENDER_KEY)
        await ledger.append(first, draft(first), entry("2026-10"))
        read = await client.person_guard(PERSON)
        assert (read.roster, read.closed, read.confirmed) == (b'{"paid_through":"2026-10"}',
                                                              None, None)  # fmt: skip
        moved = signed_zero_report(2, SENDER_KEY)
        await ledger.append(moved, draft(moved), entry("2026-12"))  # committed meanwhile
        planned = signed_zero_report(3, SENDER_KEY)
        with pytest.raises(Conflict, match="changed meanwhile"):
            await client.append(planned, draft(planned), Effects(person_guard=read))
        assert await client.find(planned.sender, planned.message_id) is None  # nothing stored
        again = await client.append(
            planned, draft(planned), Effects(person_guard=await client.person_guard(PERSON))
        )
        assert again.created
    finally:
        await client.aclose()
        await server.aclose()
        await ledger.aclose()
