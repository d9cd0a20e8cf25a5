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
            # Whatever the server answers a new connection with (too many clients, a
            # database closed to connections, recovery), the ledger is out of reach:
            # 503 to retry, not a hub failure. Once connected, only a lost link is.
            conn = await self._pool.acquire()
        except (asyncpg.PostgresError, *CONNECTION_ERRORS) as exc:
            raise StoreUnavailable(f"ledger database unreachable: {exc}") from exc
        try:
            rows = await conn.fetch(schema.dollar(sql), *params)
        except CONNECTION_ERRORS as exc:
            raise StoreUnavailable(f"ledger database unreachable: {exc}") from exc
        finally:
            await self._pool.release(conn)
        return [tuple(_sqlite_value(value) for value in row) for row in rows]


def _sqlite_value(value: object) -> object:
    """``sum()`` of integers is ``numeric`` in PostgreSQL; SQLite answers an integer."""
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value
