"""The reconciliation parser: round trip with the mock bank's writer, corruption, bad files."""

from __future__ import annotations

import io
import string
import tracemalloc
import zlib
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certhub.adapters.bank import (
    BANK_CODES,
    ReconciliationFile,
    ReconciliationRecord,
    ReconciliationRefused,
)
from certhub.adapters.types import ItemError
from certhub.mocks.bank_files import LineFault, TerminalRecord, detail_line, write_reconciliation
from certhub.mocks.population import COUNTIES
from certhub.schemas import check_character

CST = timezone(timedelta(hours=8))
DAY = date(2026, 3, 14)
GBK_NAME_CHARS = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡·买提艾力"
)


# Alphabets rather than st.from_regex: the same strings, generated several times faster
# (regex generation tripped Hypothesis's too-slow health check on a loaded machine).
SERIAL_CHARS = string.ascii_letters + string.digits
TERMINAL_CHARS = string.ascii_uppercase + string.digits + "-"


@st.composite
def terminal_records(draw: st.DrawFn) -> TerminalRecord:
    county = draw(st.sampled_from(COUNTIES))
    born = draw(st.dates(date(1930, 1, 1), date(1965, 12, 31)))
    first17 = f"{county}{born:%Y%m%d}{draw(st.integers(0, 999)):03d}"
    name = draw(st.text(GBK_NAME_CHARS, min_size=1, max_size=20))
    when = draw(st.datetimes(datetime(2025, 1, 1), datetime(2026, 3, 14, 23, 59, 59)))
    return TerminalRecord(
        serial=draw(st.text(SERIAL_CHARS, min_size=1, max_size=24)),
        terminal=draw(st.text(TERMINAL_CHARS, min_size=1, max_size=12)),
        id_number=first17 + check_character(first17),
        name=name,
        county=county,
        method=draw(st.sampled_from("12")),
        outcome=draw(st.sampled_from("01")),
        occurred_at=when.replace(microsecond=0),
    )


def _write(records: list[TerminalRecord], **options: object) -> bytes:
    stream = io.BytesIO()
    write_reconciliation(stream, bank_code="102", file_date=DAY, records=records, **options)  # type: ignore[arg-type]
    return stream.getvalue()


def _parse(tmp: Path, data: bytes) -> list[ReconciliationRecord | ItemError]:
    path = tmp / "recon.dat"
    path.write_bytes(data)
    return list(ReconciliationFile(path, known_banks=BANK_CODES))


def _as_written(record: ReconciliationRecord) -> TerminalRecord:
    return TerminalRecord(
        serial=record.serial,
        terminal=record.terminal,
        id_number=record.id_number,
        name=record.name,
        county=record.county,
        method="1" if record.method == "face" else "2",
        outcome="1" if record.outcome == "certified" else "0",
        occurred_at=record.occurred_at.replace(tzinfo=None),
    )


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(terminal_records(), min_size=0, max_size=12))
def test_round_trip_writer_to_parser(tmp_path: Path, records: list[TerminalRecord]) -> None:
    parsed = _parse(tmp_path, _write(records))
    assert all(isinstance(item, ReconciliationRecord) for item in parsed)
    assert [_as_written(item) for item in parsed] == records  # type: ignore[arg-type]


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(terminal_records(), min_size=1, max_size=4), st.data())
def test_any_single_byte_corruption_is_detected_never_silent(
    tmp_path: Path, records: list[TerminalRecord], data: st.DataObject
) -> None:
    original = _write(records)
    position = data.draw(st.integers(0, len(original) - 1))
    byte = data.draw(st.integers(0, 255).filter(lambda b: b != original[position]))
    corrupted = original[:position] + bytes([byte]) + original[position + 1 :]
    try:
        parsed = _parse(tmp_path, corrupted)
    except ReconciliationRefused:
        return  # detected: refused whole, with a reason
    # The trailer's checksum hex digits may change case; everything else must be caught.
    assert [_as_written(item) for item in parsed] == records  # type: ignore[arg-type]


@pytest.fixture
def records() -> list[TerminalRecord]:
    first17 = "44120419480101002"
    return [
        TerminalRecord(
            f"SER{i:06d}",
            "T-102-01",
            first17 + check_character(first17),
            "欧阳·买买提",
            "441204",
            "1",
            "1",
            datetime(2026, 3, 14, 9, i),
        )
        for i in range(5)
    ]


def test_a_bad_line_written_by_the_bank_is_a_per_line_error_the_rest_handed_on(
    tmp_path: Path, records: list[TerminalRecord]
) -> None:
    data = _write(records, faults={2: LineFault.invalid_gbk})
    parsed = _parse(tmp_path, data)
    errors = [item for item in parsed if isinstance(item, ItemError)]
    assert [(e.position, e.column) for e in errors] == [(3, "name")]
    assert "invalid GBK byte" in errors[0].reason
    assert sum(isinstance(item, ReconciliationRecord) for item in parsed) == 4


@pytest.mark.parametrize("fault", [LineFault.short, LineFault.long])
def test_wrong_record_lengths_are_named_by_line(
    tmp_path: Path, records: list[TerminalRecord], fault: LineFault
) -> None:
    data = _write(records, faults={4: fault})
    with pytest.raises(ReconciliationRefused) as refused:
        _parse(tmp_path, data)
    assert [(e.position, "wrong record length" in e.reason) for e in refused.value.errors] == [
        (5, True)
    ]


def test_invalid_gbk_damaged_in_transit_refuses_the_whole_file(
    tmp_path: Path, records: list[TerminalRecord]
) -> None:
    data = _write(records, faults={1: LineFault.invalid_gbk}, checksum_after_damage=False)
    with pytest.raises(ReconciliationRefused, match="checksum"):
        _parse(tmp_path, data)


@pytest.mark.parametrize("delta", [1, -1])
def test_a_trailer_count_off_by_one_refuses_the_whole_file(
    tmp_path: Path, records: list[TerminalRecord], delta: int
) -> None:
    path = tmp_path / "r.dat"
    path.write_bytes(_write(records, count_delta=delta))
    handed_on: list[object] = []
    with pytest.raises(ReconciliationRefused, match="trailer count"):
        handed_on.extend(ReconciliationFile(path, known_banks=BANK_CODES))
    assert handed_on == []


def test_an_unknown_bank_and_a_missing_trailer_are_refused(
    tmp_path: Path, records: list[TerminalRecord]
) -> None:
    stream = io.BytesIO()
    write_reconciliation(stream, bank_code="999", file_date=DAY, records=records)
    with pytest.raises(ReconciliationRefused, match="unknown bank"):
        _parse(tmp_path, stream.getvalue())
    with pytest.raises(ReconciliationRefused, match="no valid trailer"):
        _parse(tmp_path, _write(records)[:-162])


def test_an_invalid_id_number_is_a_per_line_error_without_the_number(
    tmp_path: Path, records: list[TerminalRecord]
) -> None:
    wrong = records[0].id_number[:17] + ("0" if records[0].id_number[17] != "0" else "1")
    bad = TerminalRecord(**{**records[0].__dict__, "id_number": wrong})
    parsed = _parse(tmp_path, _write([bad, *records[1:]]))
    assert isinstance(parsed[0], ItemError)
    assert parsed[0].column == "id_number"
    assert wrong not in parsed[0].reason
    assert "id_number" not in repr(parsed[1]) or "**" in repr(parsed[1])


def _many(count: int) -> Iterator[TerminalRecord]:
    first17 = "44120419480101002"
    ident = first17 + check_character(first17)
    when = datetime(2026, 3, 14, 9, 0)
    for index in range(count):
        yield TerminalRecord(f"S{index:010d}", "T1", ident, "张三", "441204", "1", "1", when)


def test_parsing_memory_does_not_grow_with_file_size(tmp_path: Path) -> None:
    peaks = []
    for count in (2_000, 20_000):
        path = tmp_path / f"r{count}.dat"
        with path.open("wb") as stream:
            write_reconciliation(stream, bank_code="102", file_date=DAY, records=_many(count))
        tracemalloc.start()
        seen = sum(1 for _ in ReconciliationFile(path, known_banks=BANK_CODES))
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert seen == count
    assert peaks[1] < peaks[0] * 1.5 + 64 * 1024


def _renumbered(lines: list[bytes]) -> bytes:
    """Header + ``lines`` (details as the bank wrote them) + a trailer the bank computed over
    them: count and CRC hold, so only the detail numbering can tell anything is wrong."""
    header = _write([]).split(b"\r\n")[0] + b"\r\n"
    crc = zlib.crc32(b"".join(lines), zlib.crc32(header))
    trailer = f"T{len(lines):010d}{crc:08X}".encode("ascii").ljust(160) + b"\r\n"
    return header + b"".join(lines) + trailer


@pytest.mark.parametrize(
    ("written", "copy_at", "lines"),
    [
        # Detail 2 twice in a row (line_no 1, 2, 2, 3, 4, 5), the trailer counting 6 details
        # over those bytes. Before, every line after the copy was refused "line_no is n,
        # expected n+1": 4 certifications of living pensioners never recorded (and the same
        # again at every import of the file).
        ((0, 1, 1, 2, 3, 4), 4, [2, 3, 5, 6, 7]),
        # Detail 2 again after detail 3 (1, 2, 3, 2, 4, 5). Before, numbering went on from
        # the copy's own line_no (3), so the genuine detail 4 after it was refused too
        # ("line_no is 4, expected 3"); now a line numbered below the expected one takes no
        # number.
        ((0, 1, 2, 1, 3, 4), 5, [2, 3, 4, 6, 7]),
    ],
)
def test_a_detail_the_bank_wrote_again_is_refused_alone_the_lines_after_it_handed_on(
    tmp_path: Path,
    records: list[TerminalRecord],
    written: tuple[int, ...],
    copy_at: int,
    lines: list[int],
) -> None:
    details = [detail_line(n, record) for n, record in enumerate(records, 1)]
    parsed = _parse(tmp_path, _renumbered([details[i] for i in written]))
    errors = [(e.position, e.column) for e in parsed if isinstance(e, ItemError)]
    assert errors == [(copy_at, "line_no")]  # the header is line 1
    handed_on = [item for item in parsed if isinstance(item, ReconciliationRecord)]
    assert [r.serial for r in handed_on] == [f"SER{i:06d}" for i in range(5)]
    assert [r.line for r in handed_on] == lines


def test_a_rare_name_in_gbk_user_defined_area_is_handed_on_four_byte_gb18030_is_not(
    tmp_path: Path, records: list[TerminalRecord]
) -> None:
    # A character GBK lacks (a rare one in a name, 生僻字) is written by banks in GBK's
    # user-defined areas (造字: 0xAAA1-0xAFFE, 0xF8A1-0xFEFE, 0xA140-0xA7A0), which GBK
    # decoders as CP936 and GB18030 map to the Private Use Area (0xAAA1 -> U+E000). Before,
    # the line was refused "invalid GBK byte" at every import: the pensioner's certification
    # at the bank's terminal never recorded. A GB18030 four-byte sequence is not GBK: refused.
    details = [detail_line(n, record) for n, record in enumerate(records, 1)]
    name = b"\xc5\xb7\xaa\xa1"  # 欧 + user-defined 0xAAA1, then spaces (40 bytes in all)
    details[1] = details[1][:63] + name.ljust(40) + details[1][103:]
    four = b"\xc5\xb7\x81\x30\x81\x30"  # 欧 + GB18030's four bytes of U+0080
    details[3] = details[3][:63] + four.ljust(40) + details[3][103:]
    parsed = _parse(tmp_path, _renumbered(details))
    assert [(e.position, e.column) for e in parsed if isinstance(e, ItemError)] == [(5, "name")]
    handed_on = {r.serial: r for r in parsed if isinstance(r, ReconciliationRecord)}
    assert sorted(handed_on) == [f"SER{i:06d}" for i in (0, 1, 2, 4)]
    rare = handed_on["SER000001"]
    assert rare.name == "欧\ue000"
    assert rare.event("102").person.name == "欧\ue000"  # a name the canonical schema takes


def test_a_line_dated_after_the_files_business_day_is_refused(
    tmp_path: Path, records: list[TerminalRecord]
) -> None:
    # The file of 2026-03-14 lists what the terminals did that day (or earlier, sent late).
    # A line dated 2026-11-30 09:00 (a terminal's clock, a bank's bug) was taken as a
    # certification in November: the pensioner's due month moved to 2027-11 when it is
    # 2027-03, eight months more of payment without proof of life. Now refused, alone.
    late = TerminalRecord(**{**records[1].__dict__, "occurred_at": datetime(2026, 11, 30, 9, 0)})
    last = TerminalRecord(
        **{**records[2].__dict__, "occurred_at": datetime(2026, 3, 14, 23, 59, 59)}
    )
    parsed = _parse(tmp_path, _write([records[0], late, last, *records[3:]]))
    errors = [(e.position, e.column) for e in parsed if isinstance(e, ItemError)]
    assert errors == [(3, "occurred_at")]
    handed_on = [r.serial for r in parsed if isinstance(r, ReconciliationRecord)]
    assert handed_on == [f"SER{i:06d}" for i in (0, 2, 3, 4)]
