"""The ministry pull against a hostile source: a round always ends."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from certhub.adapters.types import CertificationPage
from certhub.hub.departments.registry import CertificationPull, FileCursor
from certhub.hub.ingress.inbound import InboundIngestor, InboundSender
from certhub.security import SigningKey


class StuckSource:
    """A ministry answering 'more to come' without moving its cursor."""

    def __init__(self) -> None:
        self.calls = 0

    async def pull_certifications(self, cursor: str | None, *, limit: int) -> CertificationPage:
        self.calls += 1
        if self.calls > 50:  # the old code asked for ever; the test must end either way
            raise AssertionError(f"asked {self.calls} times in one round")
        return CertificationPage(events=(), next_cursor=cursor or "c1", has_more=True)


async def test_a_page_that_does_not_move_the_cursor_ends_the_round(tmp_path: Path) -> None:
    source = StuckSource()
    sender = InboundSender("adapter:ministry", SigningKey.generate(), frozenset())
    pull = CertificationPull(
        source=cast(Any, source),
        ingestor=cast(InboundIngestor, None),  # no event: never called
        sender=sender,
        cursor=FileCursor(tmp_path / "ministry.cursor"),
    )
    assert await pull.pull_once() == 0
    assert source.calls == 2  # the first page moved the cursor to c1; the second stayed there
    assert await FileCursor(tmp_path / "ministry.cursor").read() == "c1"
