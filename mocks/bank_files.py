"""The mock bank's reconciliation files: GBK fixed-width, written from the shared layout.

The writer reads the same ``reconciliation_layout.json`` the adapter parses
with (by path: mocks never import ``adapters``), so the two independent
implementations meet only at the documented layout. It streams: a file of a
million records is written in constant memory.

Faults: a trailer count off by ``count_delta``; a detail line with invalid
GBK bytes or a wrong length, with the checksum computed over the damaged
bytes (the bank wrote a bad line: a per-line error) or over the intended ones
(the file was damaged in transit: refused whole).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, BinaryIO, Final

__all__ = ["LAYOUT_PATH", "LineFault", "TerminalRecord", "detail_line", "write_reconciliation"]

LAYOUT_PATH: Final = (
    Path(__file__).resolve().parent.parent / "adapters" / "bank" / "reconciliation_layout.json"
)
_LAYOUT: Final[dict[str, Any]] = json.loads(LAYOUT_PATH.read_text(encoding="utf-8"))
_LENGTH: Final[int] = _LAYOUT["record_length"]
_END: Final = b"\r\n"


class LineFault(StrEnum):
    """How one detail line is damaged."""

    invalid_gbk = "invalid_gbk"  # a lone GBK lead byte inside the name
    short = "short"  # one byte missing
    long = "long"  # one byte too many


@dataclass(frozen=True)
class TerminalRecord:
    """One certification at a bank terminal, in the bank's own terms."""

    serial: str
    terminal: str
    id_number: str
    name: str
    county: str
    method: str  # "1" face, "2" fingerprint
    outcome: str  # "1" certified, "0" failed
    occurred_at: datetime


def _encode(kind: str, width: int, value: str) -> bytes:
    if kind == "spaces":
        return b" " * width
    if kind == "digits":
        data = value.rjust(width, "0").encode("ascii")
    elif kind == "gbk":
        data = value.encode("gbk").ljust(width, b" ")
    else:
        data = value.encode("ascii").ljust(width, b" ")
    if len(data) != width:
        raise ValueError(f"value does not fit {width} bytes")
    return data


def _line(kind: str, values: dict[str, str]) -> bytes:
    out = bytearray()
    for name, _offset, width, field_kind in _LAYOUT["records"][kind]:
        value = kind if field_kind == "literal" else values.get(name, "")
        out += _encode(field_kind, width, value)
    assert len(out) == _LENGTH  # noqa: S101 - the layout file is consistent
    return bytes(out) + _END


def detail_line(number: int, record: TerminalRecord) -> bytes:
    """The detail line of ``record`` as the ``number``-th detail."""
    return _line(
        "D",
        {
            "line_no": str(number),
            "serial": record.serial,
            "terminal": record.terminal,
            "id_number": record.id_number,
            "name": record.name,
            "county": record.county,
            "method": record.method,
            "outcome": record.outcome,
            "occurred_at": record.occurred_at.strftime("%Y%m%d%H%M%S"),
        },
    )


def _damage(line: bytes, fault: LineFault) -> bytes:
    if fault is LineFault.invalid_gbk:
        return line[:63] + b"\x81\x20" + line[65:]  # 0x81 needs a trail byte >= 0x40
    if fault is LineFault.short:
        return line[:-3] + _END
    return line[:-2] + b" " + _END


def write_reconciliation(
    stream: BinaryIO,
    *,
    bank_code: str,
    file_date: date,
    records: Iterable[TerminalRecord],
    batch: int = 1,
    count_delta: int = 0,
    faults: dict[int, LineFault] | None = None,
    checksum_after_damage: bool = True,
) -> int:
    """Write one file to ``stream``; return the number of detail lines.

    Args:
        faults: detail number (1-based) → damage done to that line.
        checksum_after_damage: the trailer's CRC covers the damaged bytes (the bank
            wrote a bad line) rather than the intended ones (damaged in transit).
    """
    faults = faults or {}
    header = _line("H", {"bank_code": bank_code, "file_date": f"{file_date:%Y%m%d}",
                         "batch": str(batch), "version": "1"})  # fmt: skip
    stream.write(header)
    crc = zlib.crc32(header)
    count = 0
    for count, record in enumerate(records, start=1):
        line = detail_line(count, record)
        damaged = _damage(line, faults[count]) if count in faults else line
        stream.write(damaged)
        crc = zlib.crc32(damaged if checksum_after_damage else line, crc)
    stream.write(_line("T", {"count": str(count + count_delta), "checksum": f"{crc:08X}"}))
    return count
