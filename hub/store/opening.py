"""One way to open the ledger, for the app, the CLIs and the demo alike.

The settings choose the dialect: a ``database_url`` means PostgreSQL, none
the embedded SQLite file in the data folder (written through the writer
process when this is one of its ingress processes). A read-only ledger opens beside
a running hub (no lock, no migration) and refuses every write.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from pydantic import SecretStr

from certhub.hub.store.base import Presigner
from certhub.hub.store.postgres import CheckpointSigner, PostgresLedger
from certhub.hub.store.sqlite.ledger import SqliteLedger
from certhub.hub.store.sqlite.writer_client import WriterClientLedger

Ledger = SqliteLedger | PostgresLedger
"""A ledger of either dialect (both satisfy :class:`~certhub.hub.store.base.LedgerStore`)."""


class LedgerSettings(Protocol):
    """What opening a ledger reads from :class:`certhub.hub.core.settings.Settings`."""

    @property
    def database_url(self) -> SecretStr | None:
        """PostgreSQL URL, or None for the embedded SQLite ledger."""
        ...

    @property
    def ledger_path(self) -> Path:
        """The embedded SQLite ledger file."""
        ...

    @property
    def ledger_batch_max(self) -> int:
        """Most messages committed in one transaction."""
        ...

    @property
    def sqlite_synchronous(self) -> str:
        """SQLite's fsync level."""
        ...

    @property
    def sqlite_wal_max_bytes(self) -> int:
        """Bound of the SQLite write-ahead log."""
        ...

    @property
    def ledger_writer(self) -> Path | None:
        """The SQLite writer process's socket, when this process is one of its ingress processes."""
        ...


async def open_ledger(
    settings: LedgerSettings,
    *,
    read_only: bool = False,
    on_commit: Callable[[int], None] | None = None,
    checkpoint: CheckpointSigner | None = None,
    presigner: Presigner | None = None,
) -> Ledger:
    """Open (and migrate, unless ``read_only``) the ledger the settings name.

    ``on_commit`` observes each group commit's size, ``checkpoint`` signs the
    audit chain's head, ``presigner`` signs receipts ahead of the transaction
    (SQLite only: PostgreSQL learns sequences under its writer lock).

    Raises:
        StoreUnavailable: the ledger cannot be opened (missing, locked, unreachable).
    """
    # Unwrapped here, at the connection, and nowhere else: the URL holds a password.
    url = settings.database_url.get_secret_value() if settings.database_url else None
    if read_only:
        if url is not None:
            return await PostgresLedger.open_read_only(url)
        return await SqliteLedger.open_read_only(settings.ledger_path)
    if url is not None:
        return await PostgresLedger.open(
            url, batch_max=settings.ledger_batch_max, on_commit=on_commit, checkpoint=checkpoint
        )
    if settings.ledger_writer is not None:  # an ingress process: the writer commits
        return await WriterClientLedger.connect(settings.ledger_path, settings.ledger_writer)
    return await SqliteLedger.open(
        settings.ledger_path,
        batch_max=settings.ledger_batch_max,
        synchronous=settings.sqlite_synchronous,
        on_commit=on_commit,
        checkpoint=checkpoint,
        presigner=presigner,
        wal_limit_bytes=settings.sqlite_wal_max_bytes,
    )
