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
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from inboundkit import terminal_event
from procedure_fixtures import keys, office_db, office_settings, office_units
from procedurekit import Office
from racekit import hub_processes, planned_together

from certhub.adapters.bank.reconciliation import ReconciliationRecord
from certhub.adapters.bank.terminal_inspect import terminal_message_id
from certhub.hub.core.keys import STORE
from certhub.hub.departments.context import certification_intake
from certhub.hub.ingress.bank_twins import (
    RECONCILIATION_ADAPTER,
    TERMINAL_ADAPTER,
    reconciliation_message_id,
)
from certhub.schemas import CertificationEvent, CertificationMethod, CertificationOutcome

# the parties' keys, and a hub on SQLite then PostgreSQL
__all__ = ["keys", "office_db", "office_settings", "office_units"]

CST = ZoneInfo("Asia/Shanghai")
SERIAL = "10220261207000042"
TERMINAL = "T10200007"


def both_ways(person: dict[str, Any]) -> tuple[CertificationEvent, CertificationEvent]:
    """The terminal's live event and the file's line of one fingerprint certification."""
    when = datetime.now(CST).replace(microsecond=0) - timedelta(minutes=5)
    digest = hashlib.sha256(person["id_number"].encode()).hexdigest()
    live = terminal_event(person, SERIAL, TERMINAL, when, zpzy=digest)
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
    processes = hub_processes(aiohttp_client, tmp_path, keys, ("hub", "import"), "certhub_twins")
    async with processes as (hub, importer):
        await _raced(hub, importer)


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
