"""A rating and its follow-up are dated by who sends them: the ratings KPIs read those dates.

By hand: a bad rating given today is one rating, one bad rating of this month, its
follow-up due 15 working days from today. Dated weeks ahead of the hub's clock, it
counted in a month that had not begun and pushed its follow-up's deadline along.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from procedurekit import Office
from ratingkit import VILLAGE, bad_rating, certified_villager, rectified

from certhub.hub.cli.demo_month_messages import this_month


def ahead() -> datetime:
    return datetime.now(UTC) + timedelta(days=40)


async def test_a_rating_or_follow_up_dated_ahead_of_the_hubs_clock_is_refused(
    office: Office,
) -> None:
    record = await certified_villager(office, datetime.now(UTC))
    stored = await office.ledger_size()
    status, body = await office.post("/v1/service-ratings", "channel", bad_rating(record, ahead()))
    assert status == 422, body  # before: 202, a rating of a month not begun
    assert await office.ledger_size() == stored
    rating = bad_rating(record, datetime.now(UTC))
    status, rated = await office.post("/v1/service-ratings", "channel", rating)
    assert status == 202, rated

    path = f"/v1/service-ratings/{rated['sequence']}/follow-ups"
    status, body = await office.post(path, "town-1", rectified(rated["sequence"], ahead()))
    assert status == 422, body  # before: 202, put right 40 days from now
    status, kpis = await office.get("/v1/kpis", period=this_month(), area=VILLAGE)
    assert status == 200, kpis
    assert (kpis["total"]["ratings"], kpis["total"]["bad_ratings"]) == (1, 1)
