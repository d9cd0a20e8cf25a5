"""``open_ledger``: the settings choose the dialect; read-only opens beside a writer."""

from __future__ import annotations

from pathlib import Path

import pytest
from ledger_backends import Backend
from ledgerkit import unsigned_message

from certhub.hub.core.settings import Settings
from certhub.hub.store import NewMessage, SqliteLedger, StoreUnavailable, open_ledger
from certhub.hub.store.postgres import PostgresLedger


def message() -> NewMessage:
    return unsigned_message(1, jws=b"token")


async def test_the_settings_choose_the_dialect_and_read_only_refuses_writes(
    ledger_factory: Backend, tmp_path: Path
) -> None:
    url = ledger_factory.location if ledger_factory.name == "postgres" else None
    settings = Settings(data_dir=tmp_path, database_url=url)
    writer = await open_ledger(settings)
    assert isinstance(writer, PostgresLedger if url else SqliteLedger)
    await writer.append(message(), lambda seq: f"receipt-{seq}")
    reader = await open_ledger(settings, read_only=True)
    assert await reader.count() == 1
    with pytest.raises(StoreUnavailable):
        await reader.append(message(), lambda seq: f"receipt-{seq}")
    await reader.aclose()
    await writer.aclose()
