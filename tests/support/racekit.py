"""Two requests in flight at once, interleaved at a known await: both planned, then one
committed after the other.

Every push is planned from what the ledger holds (reads, each an await), then appended
(``LedgerStore.append``, the group commit). A race between two requests is both planning
before either commits. :class:`Interleave` makes that happen every time instead of by
luck: it holds the append of the message of type ``first`` until the message of type
``second`` has reached its own append too (it was planned on the same ledger), lets
``first`` commit, and only then ``second``. Nothing is slept on: each side awaits the
other's event, with a deadline so that a request refused before its append fails the test
instead of hanging it.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from hubkit import JOSE
from pgkit import throwaway_database
from procedurekit import PARTIES, UNITS, Office, open_office

from certhub.hub.store.effects import NO_EFFECTS, Effects
from certhub.hub.store.records import NewMessage

__all__ = [
    "CONFIRMATION",
    "CONFLICT",
    "DECISION",
    "ENTRY",
    "PROBLEM",
    "REPORT",
    "Interleave",
    "approval",
    "confirmation",
    "hub_processes",
    "interleaved",
    "planned_together",
    "second_refused",
    "sent",
    "together",
]

CONFIRMATION, ENTRY, DECISION = "task_transition/v1", "benefit_record/v1", "decision/v1"
REPORT = "eligibility_report/v1"
PROBLEM = "urn:certhub:problem:"
CONFLICT = PROBLEM + "conflict"

_DEADLINE = 20.0  # seconds a side waits for the other (a loaded machine; never reached)


class Interleave:
    """Hold ``first``'s append until ``second`` is planned; commit ``first``, then ``second``.

    ``first`` and ``second`` are message types (``task_transition/v1``,
    ``benefit_record/v1``…): each is interleaved once, the next of its type passes. The two
    may reach different ledgers (two hub processes on one database).
    """

    def __init__(self, first: str, second: str) -> None:
        self._first, self._second = first, second
        self._second_planned = asyncio.Event()
        self._first_done = asyncio.Event()
        self._seen: set[str] = set()

    def held(self, append: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        """``append`` (a ledger's own), held as the interleaving says."""

        async def append_held(
            message: NewMessage, receipt_for: Any, effects: Effects = NO_EFFECTS
        ) -> Any:
            kind = message.message_type
            if kind in self._seen or kind not in (self._first, self._second):
                return await append(message, receipt_for, effects)
            self._seen.add(kind)
            if kind == self._first:
                await asyncio.wait_for(self._second_planned.wait(), _DEADLINE)
                try:
                    return await append(message, receipt_for, effects)
                finally:
                    self._first_done.set()
            self._second_planned.set()
            await asyncio.wait_for(self._first_done.wait(), _DEADLINE)
            return await append(message, receipt_for, effects)

        return append_held


@contextmanager
def interleaved(first: str, second: str, *stores: Any) -> Iterator[Interleave]:
    """Interleave the appends of ``stores`` (each an app's ledger) while the block runs."""
    interleave = Interleave(first, second)
    originals = [store.append for store in stores]
    for store, append in zip(stores, originals, strict=True):
        store.append = interleave.held(append)
    try:
        yield interleave
    finally:
        for store, append in zip(stores, originals, strict=True):
            store.append = append


@contextmanager
def together(store: Any, count: int = 2) -> Iterator[None]:
    """Hold each append of ``store`` until ``count`` have arrived (all planned on the same
    ledger), then let them commit in the order they arrived, while the block runs."""
    with _held_until(count, store):
        yield


@contextmanager
def planned_together(*stores: Any) -> Iterator[None]:
    """Hold each append on ``stores`` (each an app's ledger; one store given twice is one
    process taking both) until one has reached each of them (all planned on a ledger
    without the others), then let them commit, while the block runs."""
    with _held_until(len(stores), *stores):
        yield


@contextmanager
def _held_until(count: int, *stores: Any) -> Iterator[None]:
    """Hold every append on ``stores`` until ``count`` have arrived, then let them commit."""
    originals = [store.append for store in stores]
    arrived = 0
    all_planned = asyncio.Event()

    def held(append: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def append_held(
            message: NewMessage, receipt_for: Any, effects: Effects = NO_EFFECTS
        ) -> Any:
            nonlocal arrived
            arrived += 1
            if arrived >= count:
                all_planned.set()
            await asyncio.wait_for(all_planned.wait(), _DEADLINE)
            return await append(message, receipt_for, effects)

        return append_held

    for store, append in zip(stores, originals, strict=True):
        store.append = held(append)
    try:
        yield
    finally:
        for store, append in reversed(list(zip(stores, originals, strict=True))):
            store.append = append


async def second_refused(
    first: str, second: str, sends: tuple[Awaitable[Any], Awaitable[Any]], *stores: Any
) -> None:
    """Send ``sends`` (:func:`sent` of a ``first`` then a ``second`` message type) at once,
    interleaved on ``stores``: the first answered 202; the second, planned on a ledger
    without it, 409 ``conflict`` with nothing of it stored (looked up in ``stores[0]``)."""
    with interleaved(first, second, *stores):
        answers = await asyncio.gather(*sends)
    (status_1, body_1, *_), (status_2, body_2, party, jti) = answers
    assert status_1 == 202, body_1
    assert (status_2, body_2.get("type")) == (409, CONFLICT), body_2
    assert await stores[0].find(party, jti) is None


async def sent(
    office: Office, path: str, party: str, payload: dict[str, Any], via: Office | None = None
) -> tuple[Any, ...]:
    """``payload`` signed by ``party`` and POSTed to ``path`` (of the hub process ``via``,
    by default ``office``'s): (status, body, party, message id)."""
    raw = office.sign(party, payload)
    jti = f"m{office.counter}"  # the id the kit just signed it under
    response = await (via or office).client.post(path, data=raw, headers=JOSE)
    return response.status, await response.json(content_type=None), party, jti


def confirmation(task: str, died: date) -> dict[str, Any]:
    """The county's step confirming the death on ``died`` (as ``Office.step`` signs it)."""
    return {
        "type": "task_transition/v1",
        "task_id": task,
        "to_status": "confirmed",
        "actor": {"id": "county-1", "role": PARTIES["county-1"][0]},
        "at": datetime.now(UTC).isoformat(),
        "method": "department_letter",
        "outcome": "民政部门火化记录核实",
        "event_date": died.isoformat(),
    }


def approval(item: int) -> dict[str, Any]:
    """The county's approval of item ``item`` (as ``Office.decide`` signs it)."""
    return {
        "type": "decision/v1",
        "subject_id": str(item),
        "action": "approve",
        "actor": {"id": "county-1", "role": PARTIES["county-1"][0]},
        "decided_at": datetime.now(UTC).isoformat(),
        "reasons": [],
    }


@asynccontextmanager
async def hub_processes(
    client_for: Callable[..., Awaitable[Any]],
    data: Path,
    keys: dict[str, Any],
    names: tuple[str, str],
    database: str,
    **options: Any,
) -> AsyncIterator[tuple[Office, Office]]:
    """Two hub processes of one deployment (one deployment key, in ``data/secrets``) on one
    throw-away PostgreSQL database named after ``database``, each with its data folder
    ``data/<name>`` (and ``options`` for :func:`open_office`); both closed before the
    database is dropped, whatever the test found."""
    secrets = data / "secrets"
    secrets.mkdir(mode=0o700)
    key = secrets / "deployment.key"
    key.write_bytes(os.urandom(32))
    key.chmod(0o600)
    with throwaway_database(database) as url:
        offices: list[Office] = []
        try:
            for name in names:
                office = await open_office(
                    client_for, data / name, keys, units=UNITS, database_url=url,
                    secrets_dir=secrets, **options,
                )  # fmt: skip
                offices.append(office)
            yield offices[0], offices[1]
        finally:
            for office in offices:
                await office.client.close()
