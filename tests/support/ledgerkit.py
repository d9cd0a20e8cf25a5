"""Ledger records for store tests that ``certhub audit verify`` must accept."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from certhub.hub.store import NewMessage, RecordKind
from certhub.security import SigningKey, sign_compact


def signed_zero_report(n: int, key: SigningKey, sender: str = "city") -> NewMessage:
    """The ``n``-th zero report of ``sender``, really signed with ``key`` (message id ``m{n}``)."""
    payload = json.dumps({"n": n}).encode()
    jws = sign_compact(payload, key=key, typ="zero_report/v1", sender=sender, jti=f"m{n}")
    return NewMessage(
        kind=RecordKind.REPORT,
        message_type="zero_report/v1",
        sender=sender,
        message_id=f"m{n}",
        kid=key.kid,
        sha256=hashlib.sha256(jws).hexdigest(),
        jws=jws,
        payload=payload,
        received_at=datetime.now(UTC),
    )
