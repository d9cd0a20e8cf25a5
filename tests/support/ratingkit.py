"""A service to rate and its rating, for the ratings' date rules: a villager of 越秀 certified
through the channel's app, and a bad rating (1) of it by the pensioner."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from procedurekit import Office

from certhub.hub.cli.demo_month_messages import certification

VILLAGE = "440103001201"


async def certified_villager(office: Office, at: datetime) -> int:
    """A villager of :data:`VILLAGE` on the roster, certified by face in the channel's app at
    ``at``: the certification's ledger sequence."""
    person = office.people.person() | {"region": {"county": VILLAGE[:6], "village": VILLAGE}}
    await office.roster(person)
    status, receipt = await office.post("/v1/certifications", "channel", certification(person, at))
    assert status == 202, receipt
    return int(receipt["sequence"])


def bad_rating(record: int, rated_at: datetime) -> dict[str, Any]:
    """The pensioner's rating 1 of the service ``record``, given at ``rated_at``."""
    return {
        "type": "service_rating/v1",
        "service_record": record,
        "score": 1,
        "rater": "pensioner",
        "rated_at": rated_at.isoformat(),
    }


def rectified(rating: int, at: datetime) -> dict[str, Any]:
    """Town staff's step putting right the bad rating ``rating``, dated ``at``."""
    return {
        "type": "rating_followup/v1",
        "rating_id": rating,
        "action": "rectified",
        "outcome": "增设窗口",
        "actor": {"id": "town-1", "role": "town_staff"},
        "at": at.isoformat(),
    }
