"""The embedded dialect: one SQLite file in WAL mode, written on the event loop."""

from certhub.hub.store.sqlite.ledger import SqliteLedger

__all__ = ["SqliteLedger"]
