"""``certhub dlq purge``: shows what would go, asks or needs --yes, says what remains (14.17)."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
from deliverykit import commit

from certhub.hub.cli.main import main
from certhub.hub.store import SqliteLedger
from certhub.hub.store.effects import OutboxWrite
from certhub.hub.store.outbox import DeadLetterFilter


async def _store_dead_letters(folder: Path, count: int) -> None:
    ledger = await SqliteLedger.open(folder / "ledger.sqlite3")
    try:
        writes = tuple(
            OutboxWrite(f"sms-{index}", "sms", "notify", b"{}") for index in range(count)
        )
        await commit(ledger, writes)
        for index in range(count):
            await ledger.dead_letter(f"sms-{index}", 8, "CircuitOpen")
    finally:
        await ledger.aclose()


async def _dead(folder: Path) -> int:
    ledger = await SqliteLedger.open_read_only(folder / "ledger.sqlite3")
    try:
        return len(await ledger.dead_letters(DeadLetterFilter(), 1000))
    finally:
        await ledger.aclose()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A data folder whose ledger holds five dead letters."""
    asyncio.run(_store_dead_letters(tmp_path, 5))
    return tmp_path


def test_purge_without_a_filter_and_without_a_terminal_refuses(
    data: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal
    assert main(["dlq", "purge", "--data", str(data)]) == 2
    captured = capsys.readouterr()
    assert "5 dead letter(s) would be purged" in captured.out
    assert captured.err.splitlines() == [
        "certhub: error: purging 5 dead letter(s) needs --yes (no terminal to ask on)"
    ]
    assert asyncio.run(_dead(data)) == 5


def test_dry_run_shows_and_changes_nothing(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dlq", "purge", "--data", str(data), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.count("sms-") == 5
    assert "5 dead letter(s) would be purged" in out
    assert "nothing purged" in out
    assert asyncio.run(_dead(data)) == 5


def test_limit_says_how_many_remain(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dlq", "purge", "--data", str(data), "--limit", "2", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "2 dead letter(s) would be purged; 3 more match and stay" in out
    assert "purged 2 dead letter(s); 3 matching dead letter(s) remain" in out
    assert asyncio.run(_dead(data)) == 3


def test_the_terminal_answer_decides(
    data: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal("n\n"))
    assert main(["dlq", "purge", "--data", str(data)]) == 2
    assert "nothing purged" in capsys.readouterr().err
    assert asyncio.run(_dead(data)) == 5
    monkeypatch.setattr("sys.stdin", Terminal("yes\n"))
    assert main(["dlq", "purge", "--data", str(data)]) == 0
    assert "purged 5 dead letter(s); 0 matching dead letter(s) remain" in capsys.readouterr().out
    assert asyncio.run(_dead(data)) == 0


def test_replay_with_a_limit_says_how_many_remain(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["dlq", "replay", "--data", str(data), "--limit", "4"]) == 0
    assert "replayed 4 dead letter(s); 1 matching dead letter(s) remain" in capsys.readouterr().out
