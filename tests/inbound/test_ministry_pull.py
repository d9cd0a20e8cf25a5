"""The ministry pull against a hostile source: a round always ends."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest

from certhub.adapters.types import CertificationPage
from certhub.hub.departments.registry import CertificationPull, FileCursor
from certhub.hub.ingress.inbound import InboundIngestor, InboundSender
from certhub.security import SigningKey


class StuckSource:
    """A ministry answering 'more to come' at cursors that go round after ``cycle`` pages."""

    def __init__(self, cycle: int = 1) -> None:
        self.cycle = cycle
        self.calls = 0

    async def pull_certifications(self, cursor: str | None, *, limit: int) -> CertificationPage:
        self.calls += 1
        if self.calls > 50:  # the old code asked for ever; the test must end either way
            raise AssertionError(f"asked {self.calls} times in one round")
        return CertificationPage(
            events=(), next_cursor=f"c{self.calls % self.cycle}", has_more=True
        )


@pytest.mark.parametrize("cycle", [1, 2, 3])
async def test_a_page_at_a_cursor_already_read_ends_the_round(tmp_path: Path, cycle: int) -> None:
    source = StuckSource(cycle)
    sender = InboundSender("adapter:ministry", SigningKey.generate(), frozenset())
    pull = CertificationPull(
        source=cast(Any, source),
        ingestor=cast(InboundIngestor, None),  # no event: never called
        sender=sender,
        cursor=FileCursor(tmp_path / "ministry.cursor"),
    )
    assert await pull.pull_once() == 0
    assert source.calls == cycle + 1  # c1 … c0, then c1 again
    assert await FileCursor(tmp_path / "ministry.cursor").read() == f"c{(cycle + 1) % cycle}"
