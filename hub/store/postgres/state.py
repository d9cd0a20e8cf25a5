"""Small named values the deployment's singletons keep in PostgreSQL (``deployment_state``).

A singleton loop (the ministry pull) runs in whichever process leads
(:mod:`certhub.hub.core.leader`); its position must survive a change of
leader, so it lives in the database, not in one process's data folder.
"""

from __future__ import annotations

import time
from typing import Final

import asyncpg

from certhub.hub.store.postgres.commit import pooled

__all__ = ["DeploymentState", "StateCursor"]

_UPSERT: Final = (
    "INSERT INTO deployment_state (name, value, updated_at) VALUES ($1, $2, $3)"
    " ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
)


class DeploymentState:
    """Read and write ``deployment_state`` through a pool whose schema is migrated."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        """Use ``pool``."""
        self._pool = pool

    async def get(self, name: str) -> str | None:
        """The value of ``name``, if one was set.

        Raises:
            StoreUnavailable: the database cannot be read.
        """
        async with pooled(self._pool, f"read deployment state {name!r}") as conn:
            value = await conn.fetchval("SELECT value FROM deployment_state WHERE name = $1", name)
        return None if value is None else str(value)

    async def put(self, name: str, value: str) -> None:
        """Set ``name`` to ``value`` (committed when this returns).

        Raises:
            StoreUnavailable: the database cannot be written.
        """
        async with pooled(self._pool, f"write deployment state {name!r}") as conn:
            await conn.execute(_UPSERT, name, value, time.time())

    def cursor(self, name: str) -> StateCursor:
        """A pull cursor kept under ``name``."""
        return StateCursor(self, name)


class StateCursor:
    """A pull cursor in ``deployment_state`` (the departments' ``PullCursor``)."""

    def __init__(self, state: DeploymentState, name: str) -> None:
        """Kept under ``name``."""
        self._state = state
        self._name = name

    async def read(self) -> str | None:
        """The saved cursor, or None before the first page."""
        return await self._state.get(self._name)

    async def write(self, cursor: str) -> None:
        """Save ``cursor`` (after its page was recorded)."""
        await self._state.put(self._name, cursor)
