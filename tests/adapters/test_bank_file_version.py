"""A reconciliation file of a layout version other than 01 is refused whole, never misread.

Every field is read at the offsets of layout 01 (``reconciliation_layout.json``); the
header's ``version`` says which layout the bank wrote. Before, it was read and not
looked at: a file in another layout was parsed field by field as if it were 01.
"""

from __future__ import annotations

import zlib
from datetime import datetime
from pathlib import Path

import pytest
from bankfiles import bank_file, terminal_record

from certhub.adapters.bank import BANK_CODES, ReconciliationFile
from certhub.adapters.bank.reconciliation import ReconciliationRefused


def _file(folder: Path, version: bytes) -> Path:
    path = folder / "recon.dat"
    record = terminal_record(3, "S00000001", datetime(2026, 3, 14, 9, 30))
    lines = bank_file(path, [record]).read_bytes().splitlines(keepends=True)
    lines[0] = lines[0][:16] + version + lines[0][18:]  # the header's version (offset 16)
    checksum = f"{zlib.crc32(b''.join(lines[:-1])):08X}".encode()
    lines[-1] = lines[-1][:11] + checksum + lines[-1][19:]  # a bank's file that holds
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
