"""Lines of banks' reconciliation files for tests: a synthetic pensioner's certification."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

from certhub.mocks.bank_files import TerminalRecord, write_reconciliation
from certhub.mocks.population import Population


def terminal_record(
    seed: int, serial: str, occurred_at: datetime, *, outcome: str = "1"
) -> TerminalRecord:
    """A face certification at terminal T-0001 of the person ``Population(seed)`` draws first."""
    person = Population(seed=seed).person()
    return TerminalRecord(
        serial=serial,
        terminal="T-0001",
        id_number=person["id_number"],
        name=person["name"],
        county=person["region"]["county"],
        method="1",
        outcome=outcome,
        occurred_at=occurred_at,
    )


def bank_file(path: Path, records: Iterable[TerminalRecord]) -> Path:
    """``path``: bank 102's file of 2026-03-14 listing ``records``."""
    with path.open("wb") as stream:
        write_reconciliation(stream, bank_code="102", file_date=date(2026, 3, 14), records=records)
    return path
