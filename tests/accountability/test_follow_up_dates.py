"""A bad rating's follow-up cannot be put right before the rating was given.

By hand: a bad rating given today, its follow-up open, due in 15 working days. A
``rectified`` dated a month ago closed it as put right before the complaint existed —
and, dated before its deadline, never counted late (``follow_ups_late``), whenever
it was really done.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from procedurekit import Office
from ratingkit import bad_rating, certified_villager, rectified

from certhub.schemas import problem_type_uri


async def test_a_follow_up_dated_before_its_rating_is_refused(office: Office) -> None:
    record = await certified_villager(office, datetime.now(UTC))
    rating = bad_rating(record, datetime.now(UTC))
    status, rated = await office.post("/v1/service-ratings", "channel", rating)
    assert status == 202, rated

    rating_id = rated["sequence"]
    path = f"/v1/service-ratings/{rating_id}/follow-ups"
    stored = await office.ledger_size()
    month_ago = datetime.now(UTC) - timedelta(days=30)
    status, body = await office.post(path, "town-1", rectified(rating_id, month_ago))
    assert (status, body["type"]) == (422, problem_type_uri("rating-follow-up-invalid")), body
    assert await office.ledger_size() == stored
    status, one = await office.get(f"/v1/service-ratings/{rating_id}", "county-1")
    assert status == 200, one
    assert one["follow_up"]["rectified_at"] is None  # still open, to be put right
    status, body = await office.post(path, "town-1", rectified(rating_id, datetime.now(UTC)))
    assert status == 202, body
