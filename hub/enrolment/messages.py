"""The two signed requests county staff send about enrolment, and their payloads.

They travel as compact JWS like every message (``application/jose``, the
header of the wire contract), so the trust store decides who may send them
(``may_send``) and the signature binds the staff member to the request. They
are control messages, not records of the certification procedure, so they
are not canonical schema types: the hub answers them and writes an audit
entry, and keeps no ledger record.
"""

from __future__ import annotations

from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from certhub.schemas.regions import VillageCode

__all__ = [
    "CODE_REQUEST_TYPE",
    "REVOCATION_TYPE",
    "STAFF_TYPES",
    "EnrolmentCodeRequest",
    "KeyRevocation",
]

CODE_REQUEST_TYPE: Final = "enrolment_code_request/v1"
REVOCATION_TYPE: Final = "key_revocation/v1"
STAFF_TYPES: Final = frozenset({CODE_REQUEST_TYPE, REVOCATION_TYPE})
"""Types a key must be trusted for (``trust add --may-send``) to issue codes or revoke keys."""

DEFAULT_HOURS: Final = 24
MAX_HOURS: Final = 72

_STRICT = ConfigDict(extra="forbid", strict=True, frozen=True)
SenderId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:@-]{1,64}$")]


class EnrolmentCodeRequest(BaseModel):
    """County staff ask for a one-time code that enrols one coordinator's phone for a village."""

    model_config = _STRICT

    type: Literal["enrolment_code_request/v1"]
    village: VillageCode
    role: Literal["coordinator"] = "coordinator"
    sender: SenderId | None = None
    hours: int = Field(default=DEFAULT_HOURS, ge=1, le=MAX_HOURS)


class KeyRevocation(BaseModel):
    """County staff revoke an enrolled key (a lost or replaced phone), for good."""

    model_config = _STRICT

    type: Literal["key_revocation/v1"]
    kid: str = Field(min_length=1, max_length=128)
    reason: str | None = Field(default=None, max_length=500)
