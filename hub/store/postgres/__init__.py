"""The production dialect: PostgreSQL through asyncpg, several hub processes on one database."""

from certhub.hub.store.postgres.ledger import CheckpointSigner, PostgresLedger

__all__ = ["CheckpointSigner", "PostgresLedger"]
