"""A bad rating's follow-up cannot be put right before the rating was given.

By hand: a bad rating given today, its follow-up open, due in 15 working days. A
``rectified`` dated a month ago closed it as put right before the complaint existed —
and, dated before its deadline, never counted late (``follow_ups_late``), whenever
it was really done.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from procedurekit import Office

from certhub.hub.cli.demo_month_messages import certification
from certhub.schemas import problem_type_uri

VILLAGE = "440103001201"


async def test_a_follow_up_dated_before_its_rating_is_refused(office: Office) -> None:
    person = office.people.person() | {"region": {"county": "440103", "village": VILLAGE}}
    await office.roster(person)
    status, receipt = await office.post(
        "/v1/certifications", "channel", certification(person, datetime.now(UTC))
    )
    assert status == 202, receipt
    rating = {
        "type": "service_rating/v1",
        "service_record": receipt["sequence"],
        "score": 1,
        "rater": "pensioner",
        "rated_at": datetime.now(UTC).isoformat(),
    }
    status, rated = await office.post("/v1/service-ratings", "channel", rating)
    assert status == 202, rated

    def rectified(at: datetime) -> dict[str, Any]:
        return {
            "type": "rating_followup/v1",
            "rating_id": rated["sequence"],
            "action": "rectified",
            "outcome": "增设窗口",
            "actor": {"id": "town-1", "role": "town_staff"},
            "at": at.isoformat(),
        }

    path = f"/v1/service-ratings/{rated['sequence']}/follow-ups"
    stored = await office.ledger_size()
    status, body = await office.post(path, "town-1", rectified(datetime.now(UTC) - timedelta(30)))
    assert (status, body["type"]) == (422, problem_type_uri("rating-follow-up-invalid")), body
    assert await office.ledger_size() == stored
    status, one = await office.get(f"/v1/service-ratings/{rated['sequence']}", "county-1")
    assert status == 200, one
    assert one["follow_up"]["rectified_at"] is None  # still open, to be put right
    status, body = await office.post(path, "town-1", rectified(datetime.now(UTC)))
    assert status == 202, body
