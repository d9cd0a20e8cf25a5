"""Records the hub itself signs: task states, terminations, suspensions, overpayments.

They are appended to the ledger like any pushed message, so the provincial
system pulls them by cursor and verifies them against ``/.well-known/jwks.json``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from certhub.hub.store.effects import HubRecord
from certhub.schemas import Message, PersonRef
from certhub.schemas.clock import CHINA_STANDARD_TIME
from certhub.security import SigningKey, sign_compact


@dataclass(frozen=True, eq=False)  # a service: equal only to itself
class OutcomeSigner:
    """Signs canonical models as the hub and wraps them as ledger records."""

    key: Callable[[], SigningKey]
    """The keyring's active key, looked up at each call: keys rotate."""
    hub_id: str = field(kw_only=True)
    """The sender id the hub signs its own records as."""

    def record(
        self,
        model: Message,
        *,
        message_id: str,
        person: PersonRef,
        reason: str | None,
        at: datetime,
    ) -> HubRecord:
        """``model`` as a hub-signed ledger record about ``person``."""
        key = self.key()
        payload = model.model_dump_json().encode()
        jws = sign_compact(
            payload,
            key=key,
            typ=model.MESSAGE_TYPE,
            sender=self.hub_id,
            jti=message_id,
            iat=int(at.timestamp()),
        )
        return HubRecord(
            message_type=model.MESSAGE_TYPE,
            sender=self.hub_id,
            kid=key.kid,
            message_id=message_id,
            sha256=hashlib.sha256(jws).hexdigest(),
            jws=jws,
            payload=payload,
            county=person.region.county,
            village=person.region.village,
            reason=reason,
            period=at.astimezone(CHINA_STANDARD_TIME).strftime("%Y-%m"),
            person_id=person.id_number,
        )
