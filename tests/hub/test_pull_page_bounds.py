"""CERTHUB_PULL_MAX_LIMIT bounds every page, the pages of pollers that ask no limit too.

An operator lowers the largest page (memory, a slow link) and leaves the default page
size alone: a poller that omits ``limit`` must not be served more than anyone may ask.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hubkit import Hub


async def test_the_default_page_never_exceeds_the_largest_page(
    hub_factory: Callable[..., Any],
) -> None:
    hub: Hub = await hub_factory(pull_max_limit=2)  # the default page stays 100
    for _ in range(3):
        assert (await hub.push(hub.sign(hub.report())))[0] == 202
    status, page = await hub.pull()
    assert status == 200
    assert (len(page["items"]), page["has_more"]) == (2, True)
    status, rest = await hub.pull(after=page["next_cursor"])
    assert (status, len(rest["items"]), rest["has_more"]) == (200, 1, False)
