"""`certhub audit verify --database-url` on a real PostgreSQL ledger, clean and tampered."""

from __future__ import annotations

from pathlib import Path

import asyncpg
from clirun import run_cli
from ledgerkit import signed_zero_report

from certhub.hub.audit import checkpoint_signer
from certhub.hub.store.postgres import PostgresLedger
from certhub.hub.store.records import draft_receipt
from certhub.security import HubKeyring, ReceiptSigner, SigningKey, TrustStore


async def test_verify_passes_then_finds_the_tampered_entry(pg_url: str, tmp_path: Path) -> None:
    keyring = HubKeyring.load_or_create(tmp_path / "keys")
    sender = SigningKey.generate()
    TrustStore.empty().add(
        sender.public_jwk(), sender="city", may_send=["zero_report/v1"], may_read=False
    ).save(tmp_path / "trust.jwks.json")
    ledger = await PostgresLedger.open(
        pg_url, checkpoint=checkpoint_signer(lambda: keyring.active, "certhub")
    )
    for n in range(5):
        message = signed_zero_report(n, sender)
        await ledger.append(message, draft_receipt(ReceiptSigner(keyring.active), message))
    await ledger.aclose()

    verify = ("audit", "verify", "--data", str(tmp_path), "--database-url", pg_url)
    code, output = await run_cli(*verify)
    assert code == 0, output
    assert "audit entries 5" in output

    conn = await asyncpg.connect(pg_url)
    try:
        await conn.execute("UPDATE audit SET actor = 'mallory' WHERE seq = 3")
    finally:
        await conn.close()
    code, output = await run_cli(*verify)
    assert code == 1
    assert "audit entry 3" in output
