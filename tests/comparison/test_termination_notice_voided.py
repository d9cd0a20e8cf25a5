"""The family's termination SMS is not sent once the termination is voided, and is sent
once when the void's restoration is rejected.

238.00 a month. A false cremation (civil affairs, the 3rd of M(-2)) is confirmed: the hub
terminates the benefit and queues the family's SMS (``termination:<task>``: "the pension
ended; claim the funeral grant (丧葬补助金) and the personal account's balance, and end the
insurance relationship"). It waits in the outbox (no mobile number on the roster yet, the
gateway down). Civil affairs voids the record: the termination is voided and its
restoration proposed. Before, the SMS went out when sent: the family of a living pensioner
was told to claim a funeral grant and end the insurance. Now it is withdrawn while the
restoration is under review (and once approved); the proposal rejected (the termination
stands), it goes out. One withdrawn while the proposal was under review is queued again by
the rejection (``termination:<task>:standing``), and sent once; one sent before the void
is not sent again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from pgkit import throwaway_database
from procedurekit import Office
from reversalkit import DIED_IN, Scene

from certhub.hub.core.keys import PROCEDURE, STORE
from certhub.hub.delivery.notices import LoggingNoticeSender, NoticesChecked


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """The ledger the scene runs on: the data folder's SQLite one, then a PostgreSQL
    database of its own."""
    if request.param == "sqlite":
        yield None
        return
    with throwaway_database("certhub_termination_notice") as url:
        yield url


async def recorded(tmp_path: Path, url: str | None) -> tuple[Scene, str]:
    """One pensioner's false cremation of the 3rd of ``DIED_IN`` compared on ``url``'s
    ledger (the death task open), its offices relaying nothing: the scene and the person's
    ID number."""
    scene, _, number = Scene.alone(tmp_path)
    # the offices' HTTP API only: no relay of their own, the SMS waits in the outbox until
    # the test delivers it (the gateway down, say)
    scene.settings = scene.on_ledger(url).settings.model_copy(update={"role": "ingress"})
    assert (await scene.compare(DIED_IN))["reports"] == {"task_opened": 1}
    return scene, number


async def proposed(
    tmp_path: Path, url: str | None, aiohttp_client: Any
) -> tuple[Office, str, str, int]:
    """The death confirmed (paid through ``DIED_IN``, the family's SMS queued) and voided:
    an office, the person's ID number, the task and the hub's proposal's item."""
    scene, number = await recorded(tmp_path, url)
    task = (await scene.terminated(aiohttp_client))[number]
    office, items = await scene.voided(aiohttp_client)
    return office, number, task, items[number]


def checked(
    office: Office, logged: LoggingNoticeSender | None = None
) -> tuple[LoggingNoticeSender, NoticesChecked]:
    """A logging sender (``logged``, or a new one: the family's phone) behind the checks
    every sender of the hub is behind."""
    app = office.client.app
    logged = logged or LoggingNoticeSender()
    return logged, NoticesChecked(logged, app[STORE], app[PROCEDURE].outcomes.hub_id)


async def delivered(office: Office, sender: NoticesChecked) -> None:
    """Every SMS in the outbox delivered as the dispatcher does: sent (or withdrawn) through
    ``sender``, then recorded."""
    store = office.client.app[STORE]
    for notice_id, person_id, _, text in await store.pending_notices(100):
        if not await store.is_delivered(notice_id):
            await sender.send(notice_id, person_id, text)
            await store.mark_delivered(notice_id, "sms", datetime.now(UTC))


def family_told(logged: LoggingNoticeSender) -> list[str]:
    """The texts sent telling the family to claim the funeral grant."""
    return [text for text in logged.sent.values() if "丧葬补助金" in text]


class UnderReview(NamedTuple):
    """The scene :func:`proposed` leaves, the SMS still in the outbox: its office, the
    person's ID number, the death task and the proposal's item, and the family's phone
    (``logged``) behind the hub's checks (``sender``)."""

    office: Office
    number: str
    task: str
    item: int
    logged: LoggingNoticeSender
    sender: NoticesChecked


@pytest.fixture
async def review(
    tmp_path: Path, ledger_url: str | None, aiohttp_client: Any
) -> AsyncIterator[UnderReview]:
    """The voided termination's restoration under review on ``ledger_url``'s ledger, a
    logging sender behind the checks; the office closed after the test."""
    office, number, task, item = await proposed(tmp_path, ledger_url, aiohttp_client)
    yield UnderReview(office, number, task, item, *checked(office))
    await office.client.close()


async def test_a_voided_termination_is_not_announced(review: UnderReview) -> None:
    office, number, task, item, logged, sender = review
    notice_id = f"termination:{task}"
    assert await sender.withdrawn(notice_id, number) is not None  # under review
    assert (await office.decide("restoration-proposals", item, "town-1", "reject"))[0] == 202
    await delivered(office, sender)  # still waiting: the termination stands, it goes out
    await delivered(office, sender)
    assert list(logged.sent) == [notice_id]  # the one queued again withdrawn: sent already


async def test_a_notice_withdrawn_under_review_is_sent_once_rejected(review: UnderReview) -> None:
    office, _, task, item, logged, sender = review
    await delivered(office, sender)  # under review: withdrawn, nothing sent
    assert family_told(logged) == []
    assert (await office.decide("restoration-proposals", item, "town-1", "reject"))[0] == 202
    await delivered(office, sender)
    await delivered(office, sender)  # drained again: nothing twice
    assert list(logged.sent) == [f"termination:{task}:standing"]
    assert len(family_told(logged)) == 1
    again = await sender.withdrawn(f"termination:{task}", "")  # the original stays withdrawn
    assert again is not None


async def test_a_notice_sent_before_the_void_is_not_sent_again(
    tmp_path: Path, ledger_url: str | None, aiohttp_client: Any
) -> None:
    scene, number = await recorded(tmp_path, ledger_url)
    office = await scene.office(aiohttp_client)
    task = (await scene.confirmed_deaths(office))[number]
    logged, sender = checked(office)
    await delivered(office, sender)  # the family told, before the void
    assert list(logged.sent) == [f"termination:{task}"]
    await office.client.close()
    office, items = await scene.voided(aiohttp_client)
    _, sender = checked(office, logged)
    rejected = await office.decide("restoration-proposals", items[number], "town-1", "reject")
    assert rejected[0] == 202
    await delivered(office, sender)
    assert list(logged.sent) == [f"termination:{task}"]
    assert len(family_told(logged)) == 1
    await office.client.close()


async def test_an_approved_restoration_never_announces_the_termination(
    review: UnderReview,
) -> None:
    office, _, _, item, logged, sender = review
    await delivered(office, sender)
    assert (await office.decide("restoration-proposals", item, "town-2", "accept"))[0] == 202
    assert (await office.decide("restoration-proposals", item, "county-1", "approve"))[0] == 202
    await delivered(office, sender)
    assert family_told(logged) == []
