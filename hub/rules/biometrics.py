"""Which way a pensioner can certify, from their biometric enrolments and failed attempts.

* a face model enrolled, and fewer than three failed face attempts since the
  last passed certification: certify by face in an app or at a kiosk
  (``self_service``);
* three failed face attempts or more: a person looks at it (``manual_review``):
  a face that keeps failing is either a changed face or somebody else's;
* no face model, but a fingerprint or finger-vein model: a bank or
  social-security terminal (``fingerprint_terminal``);
* no usable model at all: a counter or a home visit (``counter_or_home_visit``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

from certhub.schemas import BiometricModality, EnrolmentStatus

Route = Literal["self_service", "manual_review", "fingerprint_terminal", "counter_or_home_visit"]

FACE_ATTEMPTS_BEFORE_REVIEW: Final = 3


def certification_route(
    enrolments: Mapping[BiometricModality, EnrolmentStatus], failed_face_attempts: int
) -> Route:
    """The way this person can certify now (see the module's docstring)."""
    usable = {m for m, status in enrolments.items() if status is EnrolmentStatus.enrolled}
    if failed_face_attempts >= FACE_ATTEMPTS_BEFORE_REVIEW:
        return "manual_review"
    if BiometricModality.face in usable:
        return "self_service"
    if usable & {BiometricModality.fingerprint, BiometricModality.finger_vein}:
        return "fingerprint_terminal"
    return "counter_or_home_visit"
