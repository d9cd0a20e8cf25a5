"""`audit verify` reads the chain and the records page by page: a real ledger past one page.

The verifier reads 1,000 audit entries (and records) at a time. A mistake in how one page
leads into the next (the link carried over, the next page's start) would report every real
ledger as tampered at entry 1,001, or silently skip records; these tests go past the page.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from ledger_backends import Backend
from ledgerkit import signed_zero_report

from certhub.hub.audit import PAGE, checkpoint_signer, verify_ledger
from certhub.hub.store.records import draft_receipt
from certhub.security import HubKeyring, ReceiptSigner, SigningKey, TrustStore, VerifyingKey

MESSAGES = PAGE + 205  # more audit entries and records than one page holds


async def _filled(
    ledger_factory: Backend, tmp_path: Path
) -> tuple[Any, TrustStore, dict[str, VerifyingKey]]:
    keyring = HubKeyring.load_or_create(tmp_path / "keys")
    sender = SigningKey.generate()
    trust = TrustStore.empty().add(
        sender.public_jwk(), sender="city", may_send=["zero_report/v1"], may_read=False
    )
    ledger = await ledger_factory.open(
        checkpoint=checkpoint_signer(lambda: keyring.active, "certhub")
    )
    receipts = ReceiptSigner(keyring.active)  # `audit verify` checks every receipt too
    messages = [signed_zero_report(n, sender) for n in range(MESSAGES)]
    # Concurrent appends share group commits: 1,205 messages in a few transactions.
    await asyncio.gather(*(ledger.append(m, draft_receipt(receipts, m)) for m in messages))
    hub_keys = {jwk["kid"]: VerifyingKey.from_jwk(jwk) for jwk in keyring.jwks()["keys"]}
    return ledger, trust, hub_keys


async def test_a_clean_ledger_past_one_page_verifies(
    ledger_factory: Backend, tmp_path: Path
) -> None:
    ledger, trust, hub_keys = await _filled(ledger_factory, tmp_path)
    report = await verify_ledger(ledger, trust=trust, hub_keys=hub_keys)
    assert report.problems == []
    assert report.records == MESSAGES
    assert report.entries >= MESSAGES
    assert report.checkpoints >= 1  # the head signed at entry 1,000 agrees with the chain


async def test_tampering_past_the_first_page_is_named_exactly(
    ledger_factory: Backend, tmp_path: Path
) -> None:
    ledger, trust, hub_keys = await _filled(ledger_factory, tmp_path)
    assert PAGE == 1000  # the entries below lie on the second page
    await ledger_factory.execute("UPDATE audit SET actor = 'mallory' WHERE seq = 1150")
    await ledger_factory.execute("UPDATE ledger SET sha256 = 'tampered' WHERE sequence = 1100")
    report = await verify_ledger(ledger, trust=trust, hub_keys=hub_keys)
    # Exactly these two: a signed checkpoint past the break is not blamed for it.
    assert len(report.problems) == 2, report.problems
    assert report.problems[0].startswith("audit entry 1150 ")
    assert report.problems[1].startswith("ledger record 1100: stored digest")
    assert report.entries == 1149
