"""The PostgreSQL read transport: the ledger's portable read queries, on a pool."""

from __future__ import annotations

from decimal import Decimal
from typing import Final

import asyncpg

from certhub.hub.store.base import StoreUnavailable
from certhub.hub.store.money import BackPayReads
from certhub.hub.store.postgres import schema
from certhub.hub.store.queries import LedgerReads

CONNECTION_ERRORS: Final = schema.CONNECTION_ERRORS


class PostgresQueries(BackPayReads, LedgerReads):
    """The read side on a pool of PostgreSQL connections; the ledger sets ``_pool``."""

    _pool: asyncpg.Pool
    _BYTES_CONTAIN = "position(? in {haystack}) > 0"
    _DECISION_SUBJECT = (
        "(SELECT CASE WHEN s ~ '^[0-9]{1,18}$' THEN s::bigint END"
        " FROM (SELECT convert_from(ledger.payload, 'UTF8')::jsonb ->> 'subject_id' AS s) AS d)"
    )

    async def _read(self, sql: str, params: tuple[object, ...]) -> list[tuple[object, ...]]:
        try:
            rows = await self._pool.fetch(schema.dollar(sql), *params)
        except CONNECTION_ERRORS as exc:
            raise StoreUnavailable(f"ledger database unreachable: {exc}") from exc
        return [tuple(_sqlite_value(value) for value in row) for row in rows]


def _sqlite_value(value: object) -> object:
    """``sum()`` of integers is ``numeric`` in PostgreSQL; SQLite answers an integer."""
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value
