"""Coordinators' enrolment: one-time codes that bind a phone's public key into the trust store.

County staff issue a code for a village (``certhub enrol issue`` or a signed
``enrolment_code_request/v1``); the phone posts its public JWK with the code
once, and the hub trusts that key as a coordinator of that village, reading
only its area. See README, "Coordinators' enrolment and area scopes".
"""

from certhub.hub.enrolment.codes import CodeBook, IssuedCode, normalise_code
from certhub.hub.enrolment.limiter import FailureLimiter
from certhub.hub.enrolment.messages import (
    CODE_REQUEST_TYPE,
    REVOCATION_TYPE,
    STAFF_TYPES,
    EnrolmentCodeRequest,
    KeyRevocation,
)
from certhub.hub.enrolment.service import (
    ENROLLED_ROLES,
    Enrolment,
    EnrolmentOffice,
    enrolment_for,
)

__all__ = [
    "CODE_REQUEST_TYPE",
    "ENROLLED_ROLES",
    "REVOCATION_TYPE",
    "STAFF_TYPES",
    "CodeBook",
    "Enrolment",
    "EnrolmentCodeRequest",
    "EnrolmentOffice",
    "FailureLimiter",
    "IssuedCode",
    "KeyRevocation",
    "enrolment_for",
    "normalise_code",
]
