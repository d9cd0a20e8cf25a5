"""A certification an adapter brings in that loses a race is planned again, not refused.

A pensioner's death was confirmed (a false one, say); the pensioner then certifies twice at
bank 102's terminals the same minute, both sent live. Each is held (no uplink) and verifies
the death again: the first to commit opens a death task, the other was planned on a ledger
without it and meets it at its commit (one open task of a kind per person: ``conflict``,
nothing stored). An HTTP sender retries a 409; the ingestor of the adapters
(``hub/ingress/inbound.py``) did not: the bank terminal's consumer dead-letters whatever the
hub refuses (``ingest_refused``), so a proof of life of a pensioner whose death is in
question waited in the DLQ for an operator, and was missing from the death task that decides
whether the benefit is restored (238.00 a month). Now the ingestor plans it again on what
committed: both recorded, both named by the one death task. SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from inboundkit import terminal_event
from procedure_fixtures import keys, office_db, office_settings, office_units
from procedurekit import Office, month_day
from racekit import together

from certhub.adapters.bank.terminal_inspect import terminal_message_id
from certhub.hub.core.keys import STORE
from certhub.hub.departments.context import certification_intake
from certhub.hub.ingress.bank_twins import TERMINAL_ADAPTER
from certhub.schemas import VerificationTask

# the parties' keys, and a hub on SQLite then PostgreSQL
__all__ = ["keys", "office_db", "office_settings", "office_units"]

CST = ZoneInfo("Asia/Shanghai")


async def test_two_held_terminal_certifications_at_once_are_both_recorded(
    office_db: Office,
) -> None:
    office = office_db
    person = office.people.person()
    await office.roster(person)
    confirmed = await office.confirmed_death(person, month_day(-3, 15))
    sender, ingestor = await certification_intake(office.client.app, TERMINAL_ADAPTER)
    serials = ("10220261207000101", "10220261207000102")
    now = datetime.now(CST).replace(microsecond=0)
    events = [
        terminal_event(person, serial, f"T102000{5 + i:02d}", now - timedelta(minutes=5 + i))
        for i, serial in enumerate(serials)
    ]
    store = office.client.app[STORE]
    with together(store, 2):  # both planned on a ledger without the death task they open
        outcomes = await asyncio.gather(
            *(
                ingestor.ingest(sender, event, terminal_message_id("102", serial))
                for event, serial in zip(events, serials, strict=True)
            ),
            return_exceptions=True,
        )
    # before: one refused (conflict), which the terminal's consumer dead-letters
    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    row = await store.find_open_task(person["id_number"], "death")
    assert row is not None
    assert row.task_id != confirmed
    task = VerificationTask.model_validate_json(row.snapshot)
    assert len([s for s in task.sources if s.startswith("held.")]) == 2, task.sources
