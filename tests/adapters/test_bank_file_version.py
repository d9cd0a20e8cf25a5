"""A reconciliation file of a layout version other than 01 is refused whole, never misread.

Every field is read at the offsets of layout 01 (``reconciliation_layout.json``); the
header's ``version`` says which layout the bank wrote. Before, it was read and not
looked at: a file in another layout was parsed field by field as if it were 01.
"""

from __future__ import annotations

import io
import zlib
from datetime import date, datetime
from pathlib import Path

import pytest

from certhub.adapters.bank import BANK_CODES, ReconciliationFile
from certhub.adapters.bank.reconciliation import ReconciliationRefused
from certhub.mocks.bank_files import TerminalRecord, write_reconciliation
from certhub.mocks.population import Population


def _file(folder: Path, version: bytes) -> Path:
    person = Population(seed=3).person()
    record = TerminalRecord(
        serial="S00000001",
        terminal="T-0001",
        id_number=person["id_number"],
        name=person["name"],
        county=person["region"]["county"],
        method="1",
        outcome="1",
        occurred_at=datetime(2026, 3, 14, 9, 30),
    )
    stream = io.BytesIO()
    write_reconciliation(stream, bank_code="102", file_date=date(2026, 3, 14), records=[record])
    lines = stream.getvalue().splitlines(keepends=True)
    lines[0] = lines[0][:16] + version + lines[0][18:]  # the header's version (offset 16)
    checksum = f"{zlib.crc32(b''.join(lines[:-1])):08X}".encode()
    lines[-1] = lines[-1][:11] + checksum + lines[-1][19:]  # a bank's file that holds
    path = folder / "recon.dat"
    path.write_bytes(b"".join(lines))
    return path


def test_layout_01_is_read(tmp_path: Path) -> None:
    parsed = ReconciliationFile(_file(tmp_path, b"01"), known_banks=BANK_CODES)
    assert parsed.verify().count == 1


@pytest.mark.parametrize("version", [b"02", b"00", b"10"])
def test_another_layout_version_refuses_the_file(tmp_path: Path, version: bytes) -> None:
    parsed = ReconciliationFile(_file(tmp_path, version), known_banks=BANK_CODES)
    with pytest.raises(ReconciliationRefused, match="layout version"):
        parsed.verify()
