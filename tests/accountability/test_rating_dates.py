"""A rating and its follow-up are dated by who sends them: the ratings KPIs read those dates.

By hand: a bad rating given today is one rating, one bad rating of this month, its
follow-up due 15 working days from today. Dated weeks ahead of the hub's clock, it
counted in a month that had not begun and pushed its follow-up's deadline along.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from procedurekit import Office

from certhub.hub.cli.demo_month_messages import certification, this_month

VILLAGE = "440103001201"


def ahead() -> str:
    return (datetime.now(UTC) + timedelta(days=40)).isoformat()


async def test_a_rating_or_follow_up_dated_ahead_of_the_hubs_clock_is_refused(
    office: Office,
) -> None:
    person = office.people.person() | {"region": {"county": "440103", "village": VILLAGE}}
    await office.roster(person)
    event = certification(person, datetime.now(UTC))
    status, receipt = await office.post("/v1/certifications", "channel", event)
    assert status == 202, receipt
    rating: dict[str, Any] = {
        "type": "service_rating/v1",
        "service_record": receipt["sequence"],
        "score": 1,
        "rater": "pensioner",
        "rated_at": ahead(),
    }
    stored = await office.ledger_size()
    status, body = await office.post("/v1/service-ratings", "channel", rating)
    assert status == 422, body  # before: 202, a rating of a month not begun
    assert await office.ledger_size() == stored
    now = datetime.now(UTC).isoformat()
    status, rated = await office.post("/v1/service-ratings", "channel", rating | {"rated_at": now})
    assert status == 202, rated

    follow_up = {
        "type": "rating_followup/v1",
        "rating_id": rated["sequence"],
        "action": "rectified",
        "outcome": "增设窗口",
        "actor": {"id": "town-1", "role": "town_staff"},
        "at": ahead(),
    }
    path = f"/v1/service-ratings/{rated['sequence']}/follow-ups"
    status, body = await office.post(path, "town-1", follow_up)
    assert status == 422, body  # before: 202, put right 40 days from now
    status, kpis = await office.get("/v1/kpis", period=this_month(), area=VILLAGE)
    assert status == 200, kpis
    assert (kpis["total"]["ratings"], kpis["total"]["bad_ratings"]) == (1, 1)
