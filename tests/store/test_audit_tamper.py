"""`audit verify` against an insider with write access to the ledger's tables.

Each test builds a small, really signed ledger (receipts signed by the hub as the
pipeline signs them), changes it behind the hub's back and expects the verifier to
name the changed record: a receipt the hub never signed, a record deleted while its
audit link stays, two records' places swapped.
"""

from __future__ import annotations

from pathlib import Path

from ledger_backends import Backend
from ledgerkit import signed_zero_report

from certhub.hub.audit import AuditReport, checkpoint_signer, verify_ledger
from certhub.hub.store.records import draft_receipt
from certhub.security import HubKeyring, ReceiptSigner, SigningKey, TrustStore, VerifyingKey

RECORDS = 6
SWAP = ((3, -1), (4, 3), (-1, 4))
"""Two records' places exchanged, each (from, to) in turn (the sequence is unique)."""


async def _tampered(ledger_factory: Backend, tmp_path: Path, *sql: str) -> AuditReport:
    """A ledger of six signed zero reports with receipts, ``sql`` run on it, verified."""
    keyring = HubKeyring.load_or_create(tmp_path / "keys")
    sender = SigningKey.generate()
    trust = TrustStore.empty().add(
        sender.public_jwk(), sender="city", may_send=["zero_report/v1"], may_read=False
    )
    signer = ReceiptSigner(keyring.active, hub_id="certhub")
    ledger = await ledger_factory.open(
        checkpoint=checkpoint_signer(lambda: keyring.active, "certhub")
    )
    for n in range(1, RECORDS + 1):
        message = signed_zero_report(n, sender)
        await ledger.append(message, draft_receipt(signer, message))
    await ledger_factory.execute(*sql)
    hub_keys = {jwk["kid"]: VerifyingKey.from_jwk(jwk) for jwk in keyring.jwks()["keys"]}
    return await verify_ledger(ledger, trust=trust, hub_keys=hub_keys)


async def test_the_untouched_ledger_verifies(ledger_factory: Backend, tmp_path: Path) -> None:
    report = await _tampered(ledger_factory, tmp_path)
    assert report.problems == []
    assert report.records == RECORDS


async def test_a_receipt_changed_by_one_byte_is_named(
    ledger_factory: Backend, tmp_path: Path
) -> None:
    # one character of the signed payload (its `{"type":"` opening) changed
    flipped = "UPDATE ledger SET receipt = replace(receipt, '.eyJ0eXBlIjoi', '.eyJ0eXBlIjoj')"
    report = await _tampered(ledger_factory, tmp_path, f"{flipped} WHERE sequence = 3")
    assert report.problems == ["ledger record 3: stored receipt does not verify"]


async def test_another_records_receipt_is_named(ledger_factory: Backend, tmp_path: Path) -> None:
    other = "UPDATE ledger SET receipt = (SELECT receipt FROM ledger WHERE sequence = 2)"
    report = await _tampered(ledger_factory, tmp_path, other + " WHERE sequence = 4")
    assert report.problems == ["ledger record 4: stored receipt is not this record's"]


async def test_a_record_deleted_while_its_audit_link_stays_is_named(
    ledger_factory: Backend, tmp_path: Path
) -> None:
    report = await _tampered(ledger_factory, tmp_path, "DELETE FROM ledger WHERE sequence = 4")
    assert report.problems == ["ledger record 4 is missing, though audit entry 4 links it"]


async def test_two_records_swapped_in_place_are_named(
    ledger_factory: Backend, tmp_path: Path
) -> None:
    swap = [f"UPDATE ledger SET sequence = {b} WHERE sequence = {a}" for a, b in SWAP]  # noqa: S608
    report = await _tampered(ledger_factory, tmp_path, *swap)
    assert report.problems == [
        "ledger record 3: the audit link that appended it names another digest",
        "ledger record 4: the audit link that appended it names another digest",
    ]


async def test_a_record_moved_past_the_chain_is_named(
    ledger_factory: Backend, tmp_path: Path
) -> None:
    moved = "UPDATE ledger SET sequence = 99 WHERE sequence = 6"
    report = await _tampered(ledger_factory, tmp_path, moved)
    assert report.problems == [
        "ledger record 6 is missing, though audit entry 6 links it",
        "ledger record 99: no audit link names it",
    ]


async def test_a_forged_record_of_a_trusted_sender_is_named(
    ledger_factory: Backend, tmp_path: Path
) -> None:
    columns = "kind, message_type, sender, message_id, kid, sha256, jws, payload, received_at"
    copied = f"{columns}, receipt, county, reason, period, village, person_id, channel, outcome"
    renamed = copied.replace("message_id", "'forged'")  # a copy of record 2 as a new message
    forged = f"INSERT INTO ledger (sequence, {copied}) SELECT 99, {renamed} FROM ledger"  # noqa: S608
    report = await _tampered(ledger_factory, tmp_path, forged + " WHERE sequence = 2")
    assert report.problems == [
        "ledger record 99: stored payload or ids differ from the signed ones"
    ]
