"""Ministry JSON records ↔ canonical ``schemas`` objects. Pure functions, no I/O.

Native field names follow the ministry's social-insurance data standard
(``aac002`` ID number, ``aac003`` name, ``aab301`` region, ``rz*`` 认证 fields).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from pydantic import ValidationError

from certhub.schemas import (
    CertificationEvent,
    CertificationMethod,
    CertificationOutcome,
    ChannelKind,
)

from ..native import held_photo, invalid_fields, native_person
from ..types import RejectedRecord

__all__ = [
    "PULL_CHANNELS",
    "PULL_METHODS",
    "PUSH_CHANNELS",
    "PUSH_METHODS",
    "event_from_record",
    "provincial_result",
]

PULL_METHODS: Final = {
    "01": CertificationMethod.face,
    "02": CertificationMethod.fingerprint,
    "03": CertificationMethod.finger_vein,
}
PULL_CHANNELS: Final = {
    "01": ChannelKind.national_platform,
    "02": ChannelKind.e_ssc,
    "03": ChannelKind.app_12333,
}
PUSH_METHODS: Final = {
    CertificationMethod.face: "01",
    CertificationMethod.fingerprint: "02",
    CertificationMethod.finger_vein: "03",
    CertificationMethod.counter: "04",
    CertificationMethod.home_visit: "05",
    CertificationMethod.social_org: "06",
    CertificationMethod.data_comparison: "07",
}
PUSH_CHANNELS: Final = {kind: f"{index:02d}" for index, kind in enumerate(ChannelKind, start=1)}
"""Channel codes, in the order of ``ChannelKind`` (01 national platform … 12 department data)."""


def event_from_record(record: dict[str, Any]) -> CertificationEvent | RejectedRecord:
    """The canonical event for one ministry record, or why it cannot be one.

    The record has already passed the OpenAPI schema; what can still fail is
    canonical meaning (check character, county code, validity window, …).
    """
    certified = record["rzjg"] == "1"
    try:
        return CertificationEvent(
            person=native_person(record["aac002"], record["aac003"], record["aab301"]),
            method=PULL_METHODS[record["rzfs"]],
            channel={"kind": PULL_CHANNELS[record["rzqd"]], "code": record.get("sbbh")},
            outcome=CertificationOutcome.certified if certified else CertificationOutcome.failed,
            occurred_at=datetime.fromisoformat(record["rzsj"]),
            evidence=held_photo(record.get("zpzy")),
            valid_until=record.get("yxqz") if certified else None,
            remarks=f"部级认证记录 {record['rzid']}",
        )
    except ValidationError as exc:
        return RejectedRecord(record_id=record["rzid"], reason=invalid_fields(exc))
    except ValueError:
        return RejectedRecord(record_id=record["rzid"], reason="invalid rzsj")


def provincial_result(event: CertificationEvent) -> dict[str, Any]:
    """The ministry's ProvincialResult body for one Guangdong certification."""
    return {
        "sfdm": "44",
        "aac002": event.person.id_number,
        "aac003": event.person.name,
        "aab301": event.person.region.county,
        "rzfs": PUSH_METHODS[event.method],
        "rzqd": PUSH_CHANNELS[event.channel.kind],
        "rzjg": "1" if event.outcome is CertificationOutcome.certified else "0",
        "rzsj": event.occurred_at.isoformat(),
        "yxqz": event.valid_until.isoformat() if event.valid_until else None,
    }
