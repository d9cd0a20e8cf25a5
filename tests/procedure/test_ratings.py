"""Service evaluation (好差评) through the HTTP API, as a pensioner and a town would use it.

The county approves a counter certification; the SMS carries a link; the
pensioner opens the page and rates 2 (bad); the town sees the open follow-up,
calls back and puts it right; a second rating through the same link is
refused. A channel's app rates only what came through that channel.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from evidence_samples import png
from procedurekit import Office, counter_event, open_office, sent_in_time

from certhub.hub.core.keys import NOTICE_SENDER
from certhub.hub.delivery.notices import LoggingNoticeSender
from certhub.hub.rules.ratings import working_days_after
from certhub.schemas import problem_type_uri
from certhub.schemas.clock import CHINA_STANDARD_TIME
from certhub.security import SigningKey

BASE = "https://hub.example.gd.gov.cn"


@pytest.fixture
async def office(
    aiohttp_client: Callable[..., Any], tmp_path: Path, keys: dict[str, SigningKey]
) -> Office:
    """The procedure's hub, with rating links in its SMS."""
    return await open_office(aiohttp_client, tmp_path / "data", keys, rating_base_url=BASE)


async def certified(office: Office) -> tuple[int, str]:
    """A counter certification approved by the county: its record and the SMS's rating link."""
    person = office.people.person()
    await office.roster(person)
    digests = [await office.upload(png(100 + n, f"photo {n}"), "image/png") for n in range(2)]
    item = await office.approved("certifications", "channel", counter_event(person, *digests))
    notifier = office.client.app[NOTICE_SENDER]
    assert isinstance(notifier, LoggingNoticeSender)
    text = await sent_in_time(notifier.sent, f"certification:{item}")
    (link,) = re.findall(re.escape(BASE) + r"(/rate/[A-Za-z0-9_.-]+)", text)
    assert person["id_number"] not in text
    return item, link


async def test_a_bad_rating_from_the_sms_link_is_followed_up_and_put_right(office: Office) -> None:
    item, link = await certified(office)
    page = await office.client.get(link)
    assert page.status == 200
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    form = await page.text()
    assert "<script" not in form
    assert form.count('type="radio"') == 5

    before = datetime.now(UTC)
    answer = await office.client.post(
        link, data={"score": "2", "rater": "family", "comment": "等太久"}
    )
    assert answer.status == 201
    assert "感谢您的评价" in await answer.text()
    again = await office.client.post(link, data={"score": "5", "rater": "pensioner"})
    assert again.status == 409
    assert "已评价" in await again.text()

    status, listing = await office.get("/v1/service-ratings", party="county-1", follow_up="open")
    assert status == 200
    (rating,) = listing["items"]
    assert (rating["service_record"], rating["service_kind"], rating["score"]) == (
        item,
        "certification",
        2,
    )
    assert (rating["rater"], rating["via"]) == ("family", "sms_link")
    day = before.astimezone(CHINA_STANDARD_TIME).date()
    due = datetime.combine(working_days_after(day, 15), time(23, 59, 59), CHINA_STANDARD_TIME)
    assert datetime.fromisoformat(rating["follow_up"]["due_at"]) == due
    assert (due - before) >= timedelta(days=19)  # three weeks of working days, at least

    path = f"/v1/service-ratings/{rating['rating']}/follow-ups"

    def step(action: str) -> dict[str, Any]:
        return {
            "type": "rating_followup/v1",
            "rating_id": rating["rating"],
            "action": action,
            "outcome": "已电话回访，说明排队原因并致歉" if action == "callback" else "增设窗口",
            "actor": {"id": "town-1", "role": "town_staff"},
            "at": datetime.now(UTC).isoformat(),
        }

    assert (await office.post(path, "town-1", step("callback")))[0] == 202
    assert (await office.post(path, "town-1", step("rectified")))[0] == 202
    status, body = await office.post(path, "town-1", step("visit"))
    assert (status, body["type"]) == (409, problem_type_uri("rating-follow-up-closed"))
    status, done = await office.get(f"/v1/service-ratings/{rating['rating']}", party="county-1")
    assert status == 200
    assert done["follow_up"]["called_back_at"] is not None
    assert done["follow_up"]["rectified_at"] is not None
    _, still_open = await office.get("/v1/service-ratings", party="county-1", follow_up="open")
    assert still_open["items"] == []


async def test_a_good_rating_needs_no_follow_up_and_a_forged_link_rates_nothing(
    office: Office,
) -> None:
    _, link = await certified(office)
    assert (await office.client.post(link, data={"score": "5"})).status == 201
    _, listing = await office.get("/v1/service-ratings", party="county-1")
    (rating,) = listing["items"]
    assert rating["follow_up"] is None
    path = f"/v1/service-ratings/{rating['rating']}/follow-ups"
    status, body = await office.post(
        path,
        "town-1",
        {
            "type": "rating_followup/v1",
            "rating_id": rating["rating"],
            "action": "callback",
            "outcome": "回访",
            "actor": {"id": "town-1", "role": "town_staff"},
            "at": datetime.now(UTC).isoformat(),
        },
    )
    assert (status, body["type"]) == (409, problem_type_uri("rating-follow-up-closed"))

    body_part, _, tag = link.rpartition(".")
    forged = body_part + "." + ("A" if tag[0] != "A" else "B") + tag[1:]
    for bad in (forged, "/rate/nonsense", link + "x"):
        response = await office.client.get(bad)
        assert response.status == 404
        assert (await response.json())["type"] == problem_type_uri("rating-link-invalid")
    for score in ("0", "6", "", "五"):
        response = await office.client.post(link, data={"score": score})
        assert response.status in (400, 409)


async def test_a_channel_app_rates_only_what_came_through_it(office: Office) -> None:
    item, _ = await certified(office)  # the counter certification came through "channel"

    def rating(record: int, score: int = 4) -> dict[str, Any]:
        return {
            "type": "service_rating/v1",
            "service_record": record,
            "score": score,
            "rater": "pensioner",
            "rated_at": datetime.now(UTC).isoformat(),
        }

    status, receipt = await office.post("/v1/service-ratings", "channel", rating(item))
    assert status == 202, receipt
    status, body = await office.post("/v1/service-ratings", "channel", rating(item, 1))
    assert (status, body["type"]) == (409, problem_type_uri("rating-exists"))
    _, decisions = await office.get("/v1/decisions")  # records the channel did not send
    foreign = decisions["items"][0]["sequence"]
    status, body = await office.post("/v1/service-ratings", "channel", rating(foreign))
    assert (status, body["type"]) == (422, problem_type_uri("rating-not-ratable"))


async def test_a_form_with_a_file_or_an_odd_digit_rates_nothing(office: Office) -> None:
    # The page's form sends text; a file part (multipart) was stored as its Python repr,
    # temporary file name and all, in the signed rating; "５" (full width) counted as 5.
    _, link = await certified(office)
    before = await office.ledger_size()
    with_file = aiohttp.FormData()
    with_file.add_field("score", "2")
    with_file.add_field("comment", b"a file", filename="c.txt", content_type="text/plain")
    for data in (with_file, {"score": "\uff15"}, {"score": "+5"}):
        response = await office.client.post(link, data=data)
        body = await response.json()
        assert (response.status, body["type"]) == (400, problem_type_uri("rating-invalid"))
    assert await office.ledger_size() == before
    assert (await office.client.post(link, data={"score": "2", "comment": "等太久"})).status == 201
