"""The deployment's enrolment codes in PostgreSQL: a code issued through one process redeems at any.

Rows of ``enrolment_codes`` (see :mod:`certhub.hub.store.trust_tables`): each
code only as its HMAC under the deployment's enrolment key, which the
deployment key store keeps sealed (purpose :data:`ENROLMENT_KEY`). Issuing and
redeeming take one advisory lock in their transaction, so the checks a code
book makes (a signed request used once, one open code per sender, a code
used once) hold across processes as the codes file's lock makes them hold
on one machine. These are the statements; the rules are
:class:`certhub.hub.enrolment.database.DatabaseEnrolment`'s.
"""

from __future__ import annotations

from typing import Any, Final

import asyncpg

from certhub.hub.store.postgres.schema import Conn

__all__ = ["CODES_LOCK", "ENROLMENT_KEY", "CodeRows"]

CODES_LOCK: Final = 0x63657274_636F6465  # "certcode": one issuer or redeemer at a time
ENROLMENT_KEY: Final = "enrolment"
"""The purpose of the codes' HMAC key in ``deployment_keys``."""
COLUMNS: Final = (
    "code_id", "mac", "village", "role", "sender", "issued_by", "issued_at", "expires_at",
    "request", "used_at", "kid",
)  # fmt: skip


class CodeRows:
    """The statements on ``enrolment_codes``, each on a connection in the caller's transaction."""

    @staticmethod
    async def lock(conn: Conn) -> None:
        """Take the codes' lock until the transaction ends."""
        await conn.execute("SELECT pg_advisory_xact_lock($1)", CODES_LOCK)

    @staticmethod
    async def insert(conn: Conn, row: dict[str, Any]) -> None:
        """Store one code (``row`` has every column)."""
        names = ", ".join(COLUMNS)
        marks = ", ".join(f"${n}" for n in range(1, len(COLUMNS) + 1))
        await conn.execute(
            f"INSERT INTO enrolment_codes ({names}) VALUES ({marks})",
            *(row[name] for name in COLUMNS),
        )

    @staticmethod
    async def request_seen(conn: Conn, request: str) -> bool:
        """Whether the signed request ``request`` (``issuer:jti``) already made a code."""
        found = await conn.fetchval("SELECT 1 FROM enrolment_codes WHERE request = $1", request)
        return found is not None

    @staticmethod
    async def open_for(conn: Conn, sender: str, now: float) -> bool:
        """Whether an unused, unexpired code would enrol a key as ``sender``."""
        found = await conn.fetchval(
            "SELECT 1 FROM enrolment_codes WHERE sender = $1 AND used_at IS NULL"
            " AND expires_at > $2",
            sender, now,
        )  # fmt: skip
        return found is not None

    @staticmethod
    async def by_mac(conn: Conn, mac: str) -> asyncpg.Record | None:
        """The code whose HMAC is ``mac``, locked for this transaction."""
        names = ", ".join(COLUMNS)
        row: asyncpg.Record | None = await conn.fetchrow(
            f"SELECT {names} FROM enrolment_codes WHERE mac = $1 FOR UPDATE", mac
        )
        return row

    @staticmethod
    async def mark_used(conn: Conn, code_id: str, used_at: float, kid: str) -> None:
        """Record that ``code_id`` enrolled ``kid`` at ``used_at``."""
        await conn.execute(
            "UPDATE enrolment_codes SET used_at = $2, kid = $3 WHERE code_id = $1",
            code_id, used_at, kid,
        )  # fmt: skip

    @staticmethod
    async def prune(conn: Conn, before: float) -> None:
        """Forget codes that expired before ``before`` (kept a week: who enrolled what, replays)."""
        await conn.execute("DELETE FROM enrolment_codes WHERE expires_at < $1", before)

    @staticmethod
    async def all(conn: Conn) -> list[asyncpg.Record]:
        """Every code kept, oldest first."""
        names = ", ".join(COLUMNS)
        return list(
            await conn.fetch(f"SELECT {names} FROM enrolment_codes ORDER BY issued_at, code_id")
        )
