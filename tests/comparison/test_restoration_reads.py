"""A restoration decision of a voided termination reads the person's register row once.

Both its checks need that row: whether a non-certification suspension the hub approved
stands (the register's due month) and, for a suspended roster, whether the person is
overdue. One false death confirmed and voided (the roster active, paid through
``DIED_IN``): accepting the hub's proposal, approving it and staff's ``restoration/v1``
each read ``register_person`` once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from reversalkit import proposed, voided_restoration

from certhub.hub.core.keys import STORE


async def test_each_restoration_decision_reads_the_register_row_once(
    tmp_path: Path, aiohttp_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    office, person, _, hubs = await proposed(tmp_path, aiohttp_client)
    store, item = office.client.app[STORE], hubs["sequence"]
    asked: list[str] = []
    read: Callable[[str], Awaitable[object]] = store.register_person

    async def counted(person_id: str) -> object:
        asked.append(person_id)
        return await read(person_id)

    monkeypatch.setattr(store, "register_person", counted)
    answers = []
    for call in (
        lambda: office.post("/v1/restorations", "town-1", voided_restoration(person)),
        lambda: office.decide("restoration-proposals", item, "town-1", "accept"),
    ):
        asked.clear()
        answers.append(await call())
        assert asked == [person["id_number"]], answers[-1]
    assert [status for status, _ in answers] == [202, 202]
    await office.client.close()
