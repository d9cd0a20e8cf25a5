"""The cancellation pull against a service whose page tokens go round: refused, not for ever.

Before, a service answering a page token it had answered before (the same token
again, or A, B, A …) was asked again and again, the pull never ending and the run
never starting; now the pull is refused as an answer that breaks the contract, and
nothing is written (all or nothing, as for a department down).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from certhub.adapters import ResponseInvalid
from certhub.adapters.types import CancellationPage
from certhub.hub.comparison.pull import pull_cancellations


def _files(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


class TokensGoRound:
    """A cancellation service whose next-page tokens repeat after ``cycle`` pages."""

    def __init__(self, cycle: int) -> None:
        self.cycle = cycle
        self.calls = 0

    async def cancellations_since(self, since: date, *, page: str | None) -> CancellationPage:
        self.calls += 1
        if self.calls > 50:  # the old code asked for ever; the test must end either way
            raise AssertionError(f"asked {self.calls} times")
        return CancellationPage(items=(), next_page=f"p{self.calls % self.cycle}")


@pytest.mark.parametrize("cycle", [1, 2])
async def test_page_tokens_that_go_round_refuse_the_pull_and_write_nothing(
    tmp_path: Path, cycle: int
) -> None:
    service = TokensGoRound(cycle)
    with pytest.raises(ResponseInvalid):
        await pull_cancellations(service, "2026-10", tmp_path)  # type: ignore[arg-type]
    assert service.calls == cycle + 1
    assert _files(tmp_path) == []
