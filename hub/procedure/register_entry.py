"""A passed certification as the register's effect (the register: hub/store/register.py)."""

from __future__ import annotations

from certhub.hub.rules.months import month_index
from certhub.hub.store.effects import RegisterCertification
from certhub.schemas import BenefitRecord, CertificationEvent, CertificationOutcome
from certhub.schemas.clock import CHINA_STANDARD_TIME

__all__ = ["register_entry", "roster_columns"]


def register_entry(
    event: CertificationEvent, sequence: int | None = None
) -> RegisterCertification | None:
    """The register write of ``event`` if it passed (None for a failed attempt).

    ``sequence`` names the certification's ledger record when the effect rides
    on another record (a staff-assisted certification counts from its approval).
    """
    if event.outcome is not CertificationOutcome.certified:
        return None
    day = event.occurred_at.astimezone(CHINA_STANDARD_TIME).date()
    region = event.person.region
    return RegisterCertification(
        person_id=event.person.id_number,
        certified_on=day.isoformat(),
        month=month_index(day),
        method=event.method.value,
        channel=event.channel.kind.value,
        area=region.village or region.county,
        name=event.person.name,
        sequence=sequence,
    )


def roster_columns(record: BenefitRecord) -> dict[str, str | None]:
    """The register's copy of a roster entry: area, name, status, suspension date."""
    region = record.person.region
    since = record.suspended_since
    return {
        "area": region.village or region.county,
        "name": record.person.name,
        "status": record.status.value,
        "suspended_since": since.isoformat() if since else None,
    }
