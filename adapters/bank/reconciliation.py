"""Banks' daily reconciliation files: GBK fixed-width records, parsed streaming.

The layout (``reconciliation_layout.json``, explained in ``RECONCILIATION.md``)
is one header line, detail lines, and a trailer holding the detail count and
a CRC-32 over the header and detail lines. Reading is two streaming passes
over the file, each in constant memory:

1. :meth:`ReconciliationFile.verify` checks the structure — line lengths,
   record types, header fields, trailer count and checksum. Any mismatch
   refuses the whole file (:class:`ReconciliationRefused`) before a single
   record is handed on.
2. Iterating yields each detail line as a :class:`ReconciliationRecord`, or an
   :class:`~certhub.adapters.types.ItemError` naming the line, the field and the
   reason (invalid GBK bytes, a bad digit field, an invalid ID number …).

Files are immutable once the bank has dropped them; a file changing between
the passes is refused at the end of the second pass.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO, Final

from certhub.schemas import (
    GUANGDONG_COUNTIES,
    CertificationEvent,
    CertificationMethod,
    CertificationOutcome,
    ChannelKind,
    mask_ids_in_text,
    mask_resident_id,
    validate_resident_id,
)
from certhub.schemas.clock import CHINA_STANDARD_TIME as CST

from ..errors import RequestRejected
from ..gbk import decode_gbk
from ..types import ItemError

__all__ = [
    "LAYOUT",
    "LAYOUT_PATH",
    "ReconciliationFile",
    "ReconciliationRecord",
    "ReconciliationRefused",
    "ReconciliationSummary",
]

LAYOUT_PATH: Final = Path(__file__).with_name("reconciliation_layout.json")
LAYOUT: Final = json.loads(LAYOUT_PATH.read_text(encoding="utf-8"))
LAYOUT_VERSION: Final[str] = LAYOUT["version"]  # the header's version of the offsets below
RECORD_LENGTH: Final[int] = LAYOUT["record_length"]
LINE_END: Final = b"\r\n"
LINE_LENGTH: Final = RECORD_LENGTH + len(LINE_END)
_FIELDS: Final[dict[str, list[tuple[str, int, int, str]]]] = {
    kind: [(str(f[0]), int(f[1]), int(f[2]), str(f[3])) for f in fields]
    for kind, fields in LAYOUT["records"].items()
}
_LINE_NO: Final = next(spec for spec in _FIELDS["D"] if spec[0] == "line_no")
_METHODS: Final = {"1": CertificationMethod.face, "2": CertificationMethod.fingerprint}
_OUTCOMES: Final = {"1": CertificationOutcome.certified, "0": CertificationOutcome.failed}
_ASCII_OK: Final = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"


class ReconciliationRefused(RequestRejected):
    """The file is refused whole: its structure, count or checksum does not hold.

    ``errors`` lists the line-level findings (at most a few hundred).
    """

    def __init__(self, message: str, errors: tuple[ItemError, ...] = ()) -> None:
        super().__init__(message, status=422)
        self.errors = errors


@dataclass(frozen=True)
class ReconciliationSummary:
    """What the header and trailer of a verified file say."""

    bank_code: str
    file_date: date
    batch: int
    count: int
    checksum: str


@dataclass(frozen=True)
class ReconciliationRecord:
    """One detail line: a terminal certification the bank performed that day."""

    line: int
    serial: str
    terminal: str
    id_number: str = field(repr=False)
    name: str
    county: str
    method: CertificationMethod
    outcome: CertificationOutcome
    occurred_at: datetime

    def __repr__(self) -> str:
        """Fields with the ID number masked."""
        return (
            f"ReconciliationRecord(line={self.line}, serial={self.serial!r}, "
            f"id_number={mask_resident_id(self.id_number)!r}, method={self.method.value})"
        )

    def event(self, bank_code: str) -> CertificationEvent:
        """The canonical event of this record (raises ValidationError if it is not one)."""
        return CertificationEvent(
            person={
                "id_number": self.id_number,
                "name": self.name,
                "region": {"county": self.county},
            },
            method=self.method,
            channel={"kind": ChannelKind.bank_terminal, "code": bank_code},
            outcome=self.outcome,
            occurred_at=self.occurred_at,
            remarks=f"银行对账 终端 {self.terminal} 流水 {self.serial}",
        )


class _Line:
    """One physical line: its number, its bytes without the line end, or why it is bad."""

    __slots__ = ("data", "number", "problem", "raw")

    def __init__(self, number: int, raw: bytes, problem: str | None) -> None:
        self.number = number
        self.raw = raw
        self.data = raw[:RECORD_LENGTH]
        self.problem = problem


def _lines(stream: BinaryIO) -> Iterator[_Line]:
    """Physical lines of at most LINE_LENGTH bytes each; longer ones are skipped and flagged."""
    number = 0
    while True:
        raw = stream.readline(LINE_LENGTH + 1)
        if not raw:
            return
        number += 1
        if len(raw) > LINE_LENGTH or not raw.endswith(b"\n"):
            if len(raw) > LINE_LENGTH:
                while raw and not raw.endswith(b"\n"):  # skip the rest of the long line
                    raw = stream.readline(64 * 1024)
                yield _Line(number, b"", f"longer than {LINE_LENGTH} bytes")
            else:
                yield _Line(number, raw, f"{len(raw)} bytes without a line end")
            continue
        if len(raw) != LINE_LENGTH or not raw.endswith(LINE_END):
            yield _Line(number, raw, f"{len(raw)} bytes, expected {LINE_LENGTH} ending CRLF")
            continue
        yield _Line(number, raw, None)


def _field(data: bytes, spec: tuple[str, int, int, str]) -> str:
    """One field's text, checked against its kind; raises ValueError naming the problem."""
    _name, offset, width, kind = spec
    chunk = data[offset : offset + width]
    if kind == "digits":  # the commonest kind first
        if not chunk.isdigit():
            raise ValueError("not all digits")
        return chunk.decode("ascii")
    if kind == "spaces":
        if chunk.strip(b" "):
            raise ValueError("filler is not all spaces")
        return ""
    if kind == "gbk":  # user-defined areas (造字) included: a rare character in a name
        try:
            text = decode_gbk(chunk)
        except UnicodeDecodeError as exc:
            raise ValueError(f"invalid GBK byte at column {offset + exc.start + 1}") from None
        return text.rstrip(" ")
    if kind in {"digits", "literal"}:
        if kind == "digits" and not chunk.isdigit():
            raise ValueError("not all digits")
        return chunk.decode("ascii", "replace")
    stripped = chunk.rstrip(b" ")
    if not stripped or stripped.translate(None, _ASCII_OK):
        raise ValueError("not left-justified letters and digits")
    return stripped.decode("ascii")


def _fields(data: bytes, kind: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for spec in _FIELDS[kind]:
        try:
            values[spec[0]] = _field(data, spec)
        except ValueError as exc:
            raise _FieldError(spec[0], str(exc)) from None
    return values


class _FieldError(ValueError):
    def __init__(self, name: str, reason: str) -> None:
        super().__init__(reason)
        self.name = name
        self.reason = reason


class ReconciliationFile:
    """One bank's reconciliation file on disk.

    Args:
        path: the file the bank dropped.
        known_banks: bank codes this hub has agreements with.
        max_errors: line errors kept in a refusal (the count is always exact).
    """

    def __init__(self, path: Path, *, known_banks: frozenset[str], max_errors: int = 200) -> None:
        self.path = path
        self.known_banks = known_banks
        self.max_errors = max_errors
        self.summary: ReconciliationSummary | None = None

    def verify(self) -> ReconciliationSummary:
        """First pass: structure, header, trailer count and checksum.

        Raises:
            ReconciliationRefused: anything that makes the file untrustworthy as a whole.
        """
        errors: list[ItemError] = []
        crc, details = 0, 0
        header: dict[str, str] | None = None
        trailer: dict[str, str] | None = None
        with self.path.open("rb") as stream:
            for line in _lines(stream):
                problem = self._structure(line, header, trailer)
                if problem is not None:
                    errors.append(ItemError(position=line.number, reason=problem))
                    continue
                kind = line.data[:1]
                if kind == b"T":
                    trailer = self._record(line, "T", errors)
                    continue
                crc = zlib.crc32(line.raw, crc)
                if kind == b"H":
                    header = self._record(line, "H", errors) or {}
                else:
                    details += 1
        return self._conclude(header, trailer, details, f"{crc:08X}", errors)

    def _structure(
        self, line: _Line, header: dict[str, str] | None, trailer: dict[str, str] | None
    ) -> str | None:
        if line.problem is not None:
            return f"wrong record length: {line.problem}"
        kind = line.data[:1]
        if trailer is not None:
            return "data after the trailer"
        if line.number == 1 and kind != b"H":
            return "the first line must be the header (H)"
        if kind == b"H" and line.number != 1:
            return "a second header"
        if kind not in (b"H", b"D", b"T"):
            return f"unknown record type {kind!r}"
        return None

    def _record(self, line: _Line, kind: str, errors: list[ItemError]) -> dict[str, str] | None:
        try:
            return _fields(line.data, kind)
        except _FieldError as exc:
            errors.append(ItemError(position=line.number, column=exc.name, reason=exc.reason))
            return None

    def _conclude(
        self,
        header: dict[str, str] | None,
        trailer: dict[str, str] | None,
        details: int,
        checksum: str,
        errors: list[ItemError],
    ) -> ReconciliationSummary:
        def refuse(reason: str) -> ReconciliationRefused:
            kept = tuple(errors[: self.max_errors])
            extra = f"; {len(errors)} line error(s)" if errors else ""
            return ReconciliationRefused(f"{self.path.name}: {reason}{extra}", kept)

        if not header:
            raise refuse("no valid header")
        if trailer is None:
            raise refuse("no valid trailer")
        if errors:
            raise refuse("malformed lines")
        if header["bank_code"] not in self.known_banks:
            raise refuse(f"unknown bank code {header['bank_code']}")
        if header["version"] != LAYOUT_VERSION:  # another layout: every field elsewhere
            raise refuse(f"layout version {header['version']}, this parser reads {LAYOUT_VERSION}")
        if int(trailer["count"]) != details:
            raise refuse(f"trailer count {int(trailer['count'])}, file has {details} details")
        if trailer["checksum"].upper() != checksum:
            raise refuse(f"trailer checksum {trailer['checksum']}, file computes {checksum}")
        try:
            file_date = datetime.strptime(header["file_date"], "%Y%m%d").date()
        except ValueError:
            raise refuse("header file_date is not a date") from None
        self.summary = ReconciliationSummary(
            header["bank_code"], file_date, int(header["batch"]), details, checksum
        )
        return self.summary

    def __iter__(self) -> Iterator[ReconciliationRecord | ItemError]:
        """Second pass: every detail line as a record or a per-line error (verifies first)."""
        summary = self.summary or self.verify()
        crc, expected_line = 0, 1
        with self.path.open("rb") as stream:
            for line in _lines(stream):
                kind = line.data[:1]
                if kind == b"T" or line.problem is not None:
                    break
                crc = zlib.crc32(line.raw, crc)
                if kind == b"D":
                    item, expected_line = _detail(line, expected_line, summary.file_date)
                    yield item
        if f"{crc:08X}" != summary.checksum:
            raise ReconciliationRefused(f"{self.path.name} changed while it was read")


def _detail(
    line: _Line, expected: int, file_date: date
) -> tuple[ReconciliationRecord | ItemError, int]:
    """The detail ``line`` as a record or an error, and the ``line_no`` the next one should have.

    Numbering continues from the line's own ``line_no`` when it has one: a line the bank
    wrote twice (or a number it skipped) is one error, not an error on every line after it.
    A number below the expected one (a copy of an earlier line, wherever it was written)
    takes none: continued from it, the genuine line after a copy written further down was
    refused too.
    """
    _name, offset, width, _kind = _LINE_NO
    number = line.data[offset : offset + width]
    following = max(int(number) + 1, expected) if number.isdigit() else expected + 1
    try:
        values = _fields(line.data, "D")
        if int(values["line_no"]) != expected:
            raise _FieldError("line_no", f"is {int(values['line_no'])}, expected {expected}")
        return _record(line.number, values, file_date), following
    except _FieldError as exc:
        reason = mask_ids_in_text(exc.reason)
        return ItemError(position=line.number, column=exc.name, reason=reason), following


def _record(number: int, values: dict[str, str], file_date: date) -> ReconciliationRecord:
    method = _METHODS.get(values["method"])
    if method is None:
        raise _FieldError("method", f"unknown method code {values['method']}")
    outcome = _OUTCOMES.get(values["outcome"])
    if outcome is None:
        raise _FieldError("outcome", f"unknown outcome code {values['outcome']}")
    stamp = values["occurred_at"]
    try:
        occurred = datetime(
            int(stamp[0:4]),
            int(stamp[4:6]),
            int(stamp[6:8]),
            int(stamp[8:10]),
            int(stamp[10:12]),
            int(stamp[12:14]),
            tzinfo=CST,
        )  # fmt: skip  (strptime costs a third of the parse)
    except ValueError:
        raise _FieldError("occurred_at", "not a date and time") from None
    if occurred.date() > file_date:  # a day the file cannot list: a clock or a bank's bug
        raise _FieldError("occurred_at", f"after the file's business day {file_date}")
    if not values["name"]:
        raise _FieldError("name", "empty")
    record = ReconciliationRecord(
        line=number,
        serial=values["serial"],
        terminal=values["terminal"],
        id_number=values["id_number"],
        name=values["name"],
        county=values["county"],
        method=method,
        outcome=outcome,
        occurred_at=occurred,
    )
    try:
        validate_resident_id(record.id_number)
    except ValueError:
        raise _FieldError("id_number", "not a valid resident ID number") from None
    if record.county not in GUANGDONG_COUNTIES:
        raise _FieldError("county", "not a current Guangdong county code")
    return record
