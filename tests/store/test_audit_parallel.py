"""`audit verify` checks signatures on several processes: the same findings, in order.

The records of three pages are checked by two worker processes while the
next pages are read; the report must name exactly the tampered records, by
ledger sequence, as the single-process check does, and progress must count
every record once, up to the total.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from ledger_backends import Backend
from ledgerkit import signed_zero_report

from certhub.hub.audit import PAGE, checkpoint_signer, verify_ledger
from certhub.hub.store.records import draft_receipt
from certhub.security import HubKeyring, ReceiptSigner, SigningKey, TrustStore, VerifyingKey

MESSAGES = 2 * PAGE + 321


async def test_two_workers_find_what_one_finds_in_ledger_order(
    ledger_factory: Backend, tmp_path: Path
) -> None:
    keyring = HubKeyring.load_or_create(tmp_path / "keys")
    sender, stranger = SigningKey.generate(), SigningKey.generate()
    trust = TrustStore.empty().add(
        sender.public_jwk(), sender="city", may_send=["zero_report/v1"], may_read=False
    )
    ledger = await ledger_factory.open(
        checkpoint=checkpoint_signer(lambda: keyring.active, "certhub")
    )
    messages = [signed_zero_report(n, sender) for n in range(MESSAGES)]
    messages[2200] = signed_zero_report(2200, stranger)  # a key the trust store never had
    receipts = ReceiptSigner(keyring.active)  # `audit verify` checks every receipt too
    outcomes = await asyncio.gather(
        *(ledger.append(m, draft_receipt(receipts, m)) for m in messages)
    )
    unknown_key = outcomes[2200].record.sequence
    await ledger_factory.execute("UPDATE ledger SET sha256 = 'tampered' WHERE sequence = 7")
    await ledger_factory.execute("UPDATE ledger SET message_id = 'forged' WHERE sequence = 1500")
    hub_keys = {jwk["kid"]: VerifyingKey.from_jwk(jwk) for jwk in keyring.jwks()["keys"]}
    seen: list[tuple[int, int]] = []
    try:
        alone = await verify_ledger(ledger, trust=trust, hub_keys=hub_keys)
        shared = await verify_ledger(
            ledger,
            trust=trust,
            hub_keys=hub_keys,
            workers=2,
            progress=lambda done, total: seen.append((done, total)),
        )
    finally:
        await ledger.aclose()
    assert [p.split(":")[0] for p in alone.problems] == [
        f"ledger record {sequence}" for sequence in sorted((7, 1500, unknown_key))
    ]
    found = dict(p.split(": ", 1) for p in alone.problems)
    assert "stored digest" in found["ledger record 7"]
    assert "payload or ids differ" in found["ledger record 1500"]
    assert "no longer known" in found[f"ledger record {unknown_key}"]
    assert shared.problems == alone.problems
    assert shared.records == alone.records == MESSAGES
    assert [done for done, _ in seen] == [PAGE, 2 * PAGE, MESSAGES]
    assert {total for _, total in seen} == {MESSAGES}
