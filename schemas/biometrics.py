"""The biometric enrolment registry: who has a face or fingerprint model, never the model.

Channels and the national platform tell the hub when a pensioner's face,
fingerprint or finger-vein model is enrolled or withdrawn, where, and on what
consent. Templates and images never enter certhub (Personal Information
Protection Law, art. 28: biometric data is sensitive personal information):
the model forbids any field it does not name, so a payload that carries one
is refused whole.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, AwareDatetime, BaseModel, ValidationInfo, model_validator

from .common import (
    MODEL_CONFIG,
    Channel,
    FreeText,
    Identifier,
    Message,
    PersonRef,
    not_ahead_of_clock,
)

__all__ = ["BiometricEnrolment", "BiometricModality", "Consent", "EnrolmentStatus"]


class BiometricModality(StrEnum):
    """What kind of biometric model a channel holds for a person."""

    face = "face"
    fingerprint = "fingerprint"
    finger_vein = "finger_vein"


class EnrolmentStatus(StrEnum):
    """Whether the model is usable for certification."""

    enrolled = "enrolled"
    withdrawn = "withdrawn"  # consent withdrawn, or the model deleted by the channel


class Consent(BaseModel):
    """The person's consent to the enrolment (PIPL art. 29: separate consent)."""

    model_config = MODEL_CONFIG

    given_at: AwareDatetime
    method: Literal["in_app", "paper_form", "counter_signature"]
    reference: Identifier | None = None


def _not_in_future(value: datetime, info: ValidationInfo) -> datetime:
    return not_ahead_of_clock(value, "occurred_at", info)


class BiometricEnrolment(Message):
    """A person's biometric model enrolled or withdrawn at a channel (status only)."""

    type: Literal["biometric_enrolment/v1"] = "biometric_enrolment/v1"
    person: PersonRef
    modality: BiometricModality
    status: EnrolmentStatus
    occurred_at: Annotated[AwareDatetime, AfterValidator(_not_in_future)]
    channel: Channel
    consent: Consent | None = None
    remarks: FreeText | None = None

    @model_validator(mode="after")
    def _consent_for_enrolment(self) -> Self:
        if self.status is EnrolmentStatus.enrolled and self.consent is None:
            raise ValueError("an enrolment states the person's consent")
        if self.consent is not None and self.consent.given_at > self.occurred_at:
            raise ValueError("consent is given before the enrolment")
        return self
