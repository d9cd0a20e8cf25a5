"""A rating is of a service that happened: it cannot be dated before it.

By hand: a certification today, rated 1 by the channel's app dated two months ago —
before the service. Accepted, the rating counted in a month already closed (that
month's ``ratings`` and ``bad_ratings`` changed) and its follow-up was due long
before the rating arrived (the town late the moment it heard: ``follow_ups_late``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from procedurekit import Office
from ratingkit import VILLAGE, bad_rating, certified_villager

from certhub.schemas import problem_type_uri
from certhub.schemas.clock import CHINA_STANDARD_TIME


async def test_a_rating_dated_before_its_service_is_refused(office: Office) -> None:
    done = datetime.now(UTC) - timedelta(minutes=30)
    record = await certified_villager(office, done)
    rating = bad_rating(record, done - timedelta(days=60))  # a month already closed
    stored = await office.ledger_size()
    status, body = await office.post("/v1/service-ratings", "channel", rating)
    assert (status, body["type"]) == (422, problem_type_uri("rating-not-ratable")), body
    assert await office.ledger_size() == stored
    period = (done - timedelta(days=60)).astimezone(CHINA_STANDARD_TIME).strftime("%Y-%m")
    status, kpis = await office.get("/v1/kpis", period=period, area=VILLAGE)
    assert status == 200, kpis
    assert (kpis["total"]["ratings"], kpis["total"]["bad_ratings"]) == (0, 0)
    now = bad_rating(record, datetime.now(UTC))
    status, rated = await office.post("/v1/service-ratings", "channel", now)
    assert status == 202, rated
