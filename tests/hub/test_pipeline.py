"""Ingress pipeline rules that need a controllable clock."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from certhub.hub.ingress.pipeline import IngressPipeline
from certhub.hub.store import RecordKind, SqliteLedger
from certhub.mocks.population import Population
from certhub.security import (
    ClockSkew,
    MessageVerifier,
    ReceiptSigner,
    SigningKey,
    TrustStore,
    sign_compact,
)

TYPES = {"eligibility_report/v1"}


async def test_a_late_resend_of_an_accepted_message_gets_its_original_receipt(
    tmp_path: Path,
) -> None:
    key = SigningKey.generate()
    trust = TrustStore.empty().add(key.public_jwk(), sender="city", may_send=TYPES, may_read=False)
    now = [datetime.now(UTC)]
    verifier = MessageVerifier(trust, clock=lambda: now[0])
    ledger = await SqliteLedger.open(tmp_path / "l.db")
    signer = ReceiptSigner(SigningKey.generate())
    pipeline = IngressPipeline(
        verifier=lambda: verifier, store=ledger, receipts=lambda: signer, clock=lambda: now[0]
    )
    payload = json.dumps(Population().eligibility_report()).encode()
    token = sign_compact(payload, key=key, typ="eligibility_report/v1", sender="city", jti="a")
    first = await pipeline.accept(token, kind=RecordKind.REPORT, allowed_types=TYPES)

    now[0] += timedelta(days=2)  # far outside the clock skew
    again = await pipeline.accept(token, kind=RecordKind.REPORT, allowed_types=TYPES)
    assert again.outcome.created is False
    assert again.outcome.record.receipt == first.outcome.record.receipt

    stale = sign_compact(
        payload,
        key=key,
        typ="eligibility_report/v1",
        sender="city",
        jti="b",
        iat=int(first.outcome.record.received_at.timestamp()),
    )
    with pytest.raises(ClockSkew):
        await pipeline.accept(stale, kind=RecordKind.REPORT, allowed_types=TYPES)
    assert await ledger.count() == 1
    await ledger.aclose()
