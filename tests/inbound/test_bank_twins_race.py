"""A bank certification arriving live and in the bank's file at the same moment, through two
hub processes on one PostgreSQL ledger: one certification, one record.

The terminal's live message (``adapter:bank_terminals``, ``bank102.<serial>``) is ingested by
one hub process while ``certhub bank import`` (``adapter:bank_reconciliation``,
``recon102.<serial>``) records the file's line beside it. Each looks for the other's record
first (``hub/ingress/bank_twins.py``); both looked before either committed (held at the
ledger's append until both are planned). Before, both found nothing and both were recorded
under their own (sender, message id): the certification twice in the statistics and the
register, sent upward to the ministry twice, a failed face attempt counted twice toward
manual review; so too through one process (SQLite and PostgreSQL). Now the second to commit
is checked again inside the writers' transaction, finds the first, and is answered with it:
one record, both ways told the same sequence.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pgkit import throwaway_database
from procedure_fixtures import keys, office_db, office_settings
from procedurekit import UNITS, Office, open_office

from certhub.adapters.bank.reconciliation import ReconciliationRecord
from certhub.adapters.bank.terminal_inspect import event_from_native, terminal_message_id
from certhub.hub.core.keys import STORE
from certhub.hub.departments.context import certification_intake
from certhub.hub.ingress.bank_twins import (
    RECONCILIATION_ADAPTER,
    TERMINAL_ADAPTER,
    reconciliation_message_id,
)
from certhub.hub.store.effects import NO_EFFECTS, Effects
from certhub.hub.store.records import NewMessage
from certhub.schemas import CertificationEvent, CertificationMethod, CertificationOutcome

# the parties' keys, and a hub on SQLite then PostgreSQL
__all__ = ["keys", "office_db", "office_settings"]

CST = ZoneInfo("Asia/Shanghai")
SERIAL = "10220261207000042"
TERMINAL = "T10200007"
_DEADLINE = 20.0  # seconds an append waits for the other (never reached)


@contextmanager
def planned_together(*stores: Any) -> Iterator[None]:
    """Hold each append on ``stores`` until one has reached each of them (both planned on a
    ledger without the other), then let them commit."""
    originals = [store.append for store in stores]
    arrived = 0
    all_planned = asyncio.Event()

    def held(append: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def append_held(
            message: NewMessage, receipt_for: Any, effects: Effects = NO_EFFECTS
        ) -> Any:
            nonlocal arrived
            arrived += 1
            if arrived >= len(stores):
                all_planned.set()
            await asyncio.wait_for(all_planned.wait(), _DEADLINE)
            return await append(message, receipt_for, effects)

        return append_held

    for store, append in zip(stores, originals, strict=True):
        store.append = held(append)
    try:
        yield
    finally:
        for store, append in zip(stores, originals, strict=True):
            store.append = append


def both_ways(person: dict[str, Any]) -> tuple[CertificationEvent, CertificationEvent]:
    """The terminal's live event and the file's line of one fingerprint certification."""
    when = datetime.now(CST).replace(microsecond=0) - timedelta(minutes=5)
    native = {
        "yhdm": "102",
        "zdbh": TERMINAL,
        "lsh": SERIAL,
        "sfzh": person["id_number"],
        "xm": person["name"],
        "xzqh": person["region"]["county"],
        "rzfs": "2",
        "rzjg": "1",
        "rzsj": when.isoformat(),
        "zpzy": hashlib.sha256(person["id_number"].encode()).hexdigest(),
    }
    live = event_from_native(native)
    assert isinstance(live, CertificationEvent), live
    line = ReconciliationRecord(
        line=1,
        serial=SERIAL,
        terminal=TERMINAL,
        id_number=person["id_number"],
        name=person["name"],
        county=person["region"]["county"],
        method=CertificationMethod.fingerprint,
        outcome=CertificationOutcome.certified,
        occurred_at=when,
    )
    return live, line.event("102")


async def test_live_and_file_at_once_through_two_processes_record_once(
    aiohttp_client: Callable[..., Any], tmp_path: Path, keys: dict[str, Any]
) -> None:
    secrets = tmp_path / "secrets"
    secrets.mkdir(mode=0o700)
    key = secrets / "deployment.key"
    key.write_bytes(os.urandom(32))
    key.chmod(0o600)
    with throwaway_database("certhub_twins") as url:
        offices: list[Office] = []
        try:  # closed before the database is dropped, whatever the test found
            for name in ("hub", "import"):
                office = await open_office(
                    aiohttp_client, tmp_path / name, keys, units=UNITS, database_url=url,
                    secrets_dir=secrets,
                )  # fmt: skip
                offices.append(office)
            await _raced(*offices)
        finally:
            for office in offices:
                await office.client.close()


async def test_live_and_file_at_once_in_one_process_record_once(office_db: Office) -> None:
    # Both ways through one hub process (its one ledger; on SQLite its one writer)
    await _raced(office_db, office_db)


async def _raced(hub: Office, importer: Office) -> None:
    """The live message through ``hub``, the file's line through ``importer``, at once."""
    person = hub.people.person()
    await hub.roster(person)
    live, line = both_ways(person)
    terminal, live_ingestor = await certification_intake(hub.client.app, TERMINAL_ADAPTER)
    recon, file_ingestor = await certification_intake(importer.client.app, RECONCILIATION_ADAPTER)
    stores = hub.client.app[STORE], importer.client.app[STORE]
    size = await stores[0].count()
    with planned_together(*stores):
        first, second = await asyncio.gather(
            live_ingestor.ingest(terminal, live, terminal_message_id("102", SERIAL)),
            file_ingestor.ingest(recon, line, reconciliation_message_id("102", SERIAL)),
        )
    assert first.sequence == second.sequence, (first, second)  # two records before the fix
    assert await stores[0].count() == size + 1
    register = await stores[1].register_certifications(person["id_number"])
    assert len(register) == 1, register  # 2 before the fix: the statistics count it twice
