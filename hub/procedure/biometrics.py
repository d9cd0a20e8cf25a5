"""Planner of the biometric enrolment registry: a channel's report becomes the latest status."""

from __future__ import annotations

from datetime import UTC

from certhub.hub.store.effects import BiometricWrite, Effects
from certhub.schemas import BiometricEnrolment
from certhub.security import VerifiedMessage


def plan_biometric(_message: VerifiedMessage, enrolment: BiometricEnrolment) -> Effects:
    """Record the status of one model; the ledger keeps the latest by ``occurred_at``.

    Who may report is the trust store's business (``may_send``: the channels and
    the national platform); the payload's shape already refused any template.
    """
    region = enrolment.person.region
    return Effects(
        biometric=BiometricWrite(
            person_id=enrolment.person.id_number,
            modality=enrolment.modality.value,
            status=enrolment.status.value,
            occurred_at=enrolment.occurred_at.astimezone(UTC).isoformat(),
            channel=enrolment.channel.kind.value,
            area=region.village or region.county,
        )
    )
