"""A rating is of a service that happened: it cannot be dated before it.

By hand: a certification today, rated 1 by the channel's app dated two months ago —
before the service. Accepted, the rating counted in a month already closed (that
month's ``ratings`` and ``bad_ratings`` changed) and its follow-up was due long
before the rating arrived (the town late the moment it heard: ``follow_ups_late``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from procedurekit import Office

from certhub.hub.cli.demo_month_messages import certification
from certhub.schemas import problem_type_uri
from certhub.schemas.clock import CHINA_STANDARD_TIME

VILLAGE = "440103001201"


async def test_a_rating_dated_before_its_service_is_refused(office: Office) -> None:
    person = office.people.person() | {"region": {"county": "440103", "village": VILLAGE}}
    await office.roster(person)
    done = datetime.now(UTC) - timedelta(minutes=30)
    event = certification(person, done)
    status, receipt = await office.post("/v1/certifications", "channel", event)
    assert status == 202, receipt
    rating = {
        "type": "service_rating/v1",
        "service_record": receipt["sequence"],
        "score": 1,
        "rater": "pensioner",
        "rated_at": (done - timedelta(days=60)).isoformat(),  # a month already closed
    }
    stored = await office.ledger_size()
    status, body = await office.post("/v1/service-ratings", "channel", rating)
    assert (status, body["type"]) == (422, problem_type_uri("rating-not-ratable")), body
    assert await office.ledger_size() == stored
    period = (done - timedelta(days=60)).astimezone(CHINA_STANDARD_TIME).strftime("%Y-%m")
    status, kpis = await office.get("/v1/kpis", period=period, area=VILLAGE)
    assert status == 200, kpis
    assert (kpis["total"]["ratings"], kpis["total"]["bad_ratings"]) == (0, 0)
    status, rated = await office.post(
        "/v1/service-ratings", "channel", rating | {"rated_at": datetime.now(UTC).isoformat()}
    )
    assert status == 202, rated
