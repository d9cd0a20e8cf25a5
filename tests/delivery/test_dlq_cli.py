"""``certhub dlq``: list with filters, show masked, replay and purge audited, on both backends."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from deliverykit import commit

from certhub.hub.cli.main import main
from certhub.hub.store import SqliteLedger
from certhub.hub.store.effects import OutboxWrite
from certhub.hub.store.outbox import OutboxState
from certhub.hub.store.postgres import PostgresLedger

PERSON = "440103194901010017"  # a real-looking number: masking takes only those


async def _dead_letters(ledger: Any) -> None:
    writes = (
        OutboxWrite("sms-1", "sms", "notify", f'{{"person_id":"{PERSON}"}}'.encode()),
        OutboxWrite("up-1", "ministry", "push_certification", b"{}"),
    )
    await commit(ledger, writes)
    await ledger.dead_letter("sms-1", 8, "CircuitOpen")
    await ledger.dead_letter("up-1", 1, "RequestRejected")


@pytest.fixture(params=["sqlite", "postgres"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> list[str]:
    """The CLI's ledger option, with two dead letters stored."""

    async def prepare() -> list[str]:
        if request.param == "sqlite":
            ledger: Any = await SqliteLedger.open(tmp_path / "ledger.sqlite3")
            option = ["--data", str(tmp_path)]
        else:
            url = request.getfixturevalue("database_url")
            ledger = await PostgresLedger.open(url)
            option = ["--database-url", url]
        await _dead_letters(ledger)
        await ledger.aclose()
        return option

    return asyncio.run(prepare())


def test_list_filters_and_show_masks(
    location: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["dlq", "list", *location]) == 0
    assert "2 dead letter(s)" in capsys.readouterr().out
    assert main(["dlq", "list", *location, "--adapter", "sms"]) == 0
    out = capsys.readouterr().out
    assert "sms-1" in out
    assert "up-1" not in out
    assert main(["dlq", "list", *location, "--error", "RequestRejected"]) == 0
    assert "up-1" in capsys.readouterr().out
    assert main(["dlq", "list", *location, "--older-than", "1h"]) == 0
    assert "0 dead letter(s)" in capsys.readouterr().out
    assert main(["dlq", "show", *location, "sms-1"]) == 0
    assert PERSON not in capsys.readouterr().out


def test_replay_and_purge_are_audited(
    location: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["dlq", "replay", *location, "--adapter", "sms"]) == 0
    assert "replayed 1" in capsys.readouterr().out
    assert main(["dlq", "purge", *location, "up-1"]) == 0
    assert "purged 1" in capsys.readouterr().out
    assert main(["dlq", "list", *location]) == 0
    assert "0 dead letter(s)" in capsys.readouterr().out

    async def check() -> None:
        ledger: Any
        if location[0] == "--data":
            ledger = await SqliteLedger.open_read_only(Path(location[1]) / "ledger.sqlite3")
        else:
            ledger = await PostgresLedger.open_read_only(location[1])
        row = await ledger.get_outbox("sms-1")
        assert (row.state, row.attempts) == (OutboxState.PENDING, 0)
        assert await ledger.get_outbox("up-1") is None
        actions = [(e.action, e.subject, e.actor) for e in await ledger.audit_entries(0, 100)]
        await ledger.aclose()
        assert ("dlq_replayed", "sms-1") in [a[:2] for a in actions]
        assert ("dlq_purged", "up-1") in [a[:2] for a in actions]
        assert all(a[2].startswith("ops:") for a in actions if a[0].startswith("dlq_"))

    asyncio.run(check())


def test_a_named_delivery_that_is_no_dead_letter_is_said(
    location: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """An id copied wrong (or already replayed) must not look like an empty answer."""
    assert main(["dlq", "show", *location, "sms-1", "sms-9"]) == 1
    captured = capsys.readouterr()
    assert '"delivery_id": "sms-1"' in captured.out
    assert captured.err == "certhub: no dead letter sms-9\n"
    assert main(["dlq", "replay", *location, "sms-9"]) == 1
    captured = capsys.readouterr()
    assert "replayed 0 dead letter(s)" in captured.out
    assert captured.err == "certhub: no dead letter sms-9\n"
