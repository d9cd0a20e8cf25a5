"""``certhub bank import FILE``: a reconciliation file into the ledger like any inbound record."""

from __future__ import annotations

import asyncio
import json
import zlib
from datetime import date, datetime
from pathlib import Path

import pytest

from certhub.hub.cli.main import main
from certhub.hub.store import SqliteLedger
from certhub.mocks.bank_files import LineFault, TerminalRecord, write_reconciliation
from certhub.mocks.population import Population
from certhub.security import MessageVerifier, TrustStore

SENDER = "adapter:bank_reconciliation"


def _records(count: int) -> list[TerminalRecord]:
    population = Population(seed=5)
    records = []
    for index in range(count):
        person = population.person()
        records.append(
            TerminalRecord(
                serial=f"S{index:08d}",
                terminal="T-0001",
                id_number=person["id_number"],
                name=person["name"],
                county=person["region"]["county"],
                method="1",
                outcome="1",
                occurred_at=datetime(2026, 3, 14, 9, index % 60),
            )
        )
    return records


def _file(folder: Path, records: list[TerminalRecord], **options: object) -> Path:
    path = folder / "recon-102-20260314.dat"
    with path.open("wb") as stream:
        write_reconciliation(
            stream,
            bank_code="102",
            file_date=date(2026, 3, 14),
            records=records,
            **options,  # type: ignore[arg-type]
        )
    return path


async def _recorded(data: Path) -> list[tuple[str, dict[str, object]]]:
    """(message id, payload) of every record the import signed, re-verified from the ledger."""
    ledger = await SqliteLedger.open_read_only(data / "ledger.sqlite3")
    verifier = MessageVerifier(TrustStore.load(data / "trust.jwks.json"))
    try:
        found = []
        for serial in range(10):
            record = await ledger.find(SENDER, f"recon102.S{serial:08d}")
            if record is not None:
                verified = verifier.verify(record.jws)
                assert verified.typ == "certification_event/v1"
                found.append((record.message_id, json.loads(record.payload)))
        return found
    finally:
        await ledger.aclose()


def test_every_good_line_is_recorded_once_and_bad_lines_are_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    path = _file(tmp_path, _records(6), faults={3: LineFault.invalid_gbk})
    assert main(["bank", "import", str(path), "--data", str(data)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("line 4: name: invalid GBK byte")  # header is line 1
    assert out[-1] == (
        "recon-102-20260314.dat: bank 102, 2026-03-14, batch 1:"
        " 6 lines, 5 recorded, 0 already recorded, 0 already recorded by the terminal, 1 refused"
    )
    recorded = asyncio.run(_recorded(data))
    assert [message_id for message_id, _ in recorded] == [
        f"recon102.S{n:08d}" for n in (0, 1, 3, 4, 5)
    ]
    payload = recorded[0][1]
    assert payload["channel"] == {"kind": "bank_terminal", "code": "102"}
    # Importing the same file again records nothing new.
    assert main(["bank", "import", str(path), "--data", str(data)]) == 1
    assert (
        capsys.readouterr()
        .out.splitlines()[-1]
        .endswith(
            "6 lines, 0 recorded, 5 already recorded, 0 already recorded by the terminal, 1 refused"
        )
    )


def test_a_clean_file_exits_0_and_shows_progress_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _file(tmp_path, _records(3))
    assert main(["bank", "import", str(path), "--data", str(tmp_path / "d"), "--progress"]) == 0
    captured = capsys.readouterr()
    assert "100% 3/3 lines" in captured.err
    assert captured.out.endswith(
        "3 lines, 3 recorded, 0 already recorded, 0 already recorded by the terminal, 0 refused\n"
    )


def test_a_refused_file_records_nothing_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    path = _file(tmp_path, _records(4), count_delta=1)  # the trailer's count is wrong
    assert main(["bank", "import", str(path), "--data", str(data)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("certhub: error: recon-102-20260314.dat: trailer count 5")
    assert not data.exists()


def test_a_line_the_bank_wrote_twice_is_refused_alone_and_the_rest_recorded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The bank wrote detail 2 twice (line_no 1, 2, 2, 3, 4, 5) and its trailer counts the 6
    # details over those bytes. Before, lines 5..7 were refused too ("line_no is n, expected
    # n+1"): 3 certifications never recorded, again at every import; now the copy alone.
    data = tmp_path / "data"
    path = _file(tmp_path, _records(5))
    lines = path.read_bytes().split(b"\r\n")[:-1]
    header, details = lines[0] + b"\r\n", [line + b"\r\n" for line in lines[1:-1]]
    details = [*details[:2], details[1], *details[2:]]
    crc = zlib.crc32(b"".join(details), zlib.crc32(header))
    trailer = f"T{len(details):010d}{crc:08X}".encode("ascii").ljust(160) + b"\r\n"
    path.write_bytes(header + b"".join(details) + trailer)
    assert main(["bank", "import", str(path), "--data", str(data)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "line 4: line_no: is 2, expected 3",
        "recon-102-20260314.dat: bank 102, 2026-03-14, batch 1:"
        " 6 lines, 5 recorded, 0 already recorded, 0 already recorded by the terminal, 1 refused",
    ]
    recorded = asyncio.run(_recorded(data))
    assert [message_id for message_id, _ in recorded] == [f"recon102.S{n:08d}" for n in range(5)]


def test_a_line_changed_under_a_recorded_serial_is_refused_not_taken_as_already_recorded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The bank sends the day's file again with serial S00000001 changed (certified -> failed:
    # its terminal had matched the wrong face). Before, the import looked the serial up and
    # counted the line "already recorded" (exit 0): the certification stood, the pensioner
    # counted alive, and nobody was told the correction was not taken. Now the line is
    # refused as any changed record under a used id is ("replay": the first record stands,
    # a correction needs a serial of its own), exit 1.
    data = tmp_path / "data"
    records = _records(3)
    assert main(["bank", "import", str(_file(tmp_path, records)), "--data", str(data)]) == 0
    capsys.readouterr()
    changed = TerminalRecord(**{**records[1].__dict__, "outcome": "0"})
    again = _file(tmp_path, [records[0], changed, records[2]], batch=2)
    assert main(["bank", "import", str(again), "--data", str(data)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("line 3: refused by the hub: replay: record id 'recon102.S00000001'")
    assert out[-1].endswith(
        "3 lines, 0 recorded, 2 already recorded, 0 already recorded by the terminal, 1 refused"
    )
    recorded = dict(asyncio.run(_recorded(data)))
    assert recorded["recon102.S00000001"]["outcome"] == "certified"  # the first record stands
