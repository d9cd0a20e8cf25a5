"""Throw-away PostgreSQL databases for tests, on the server at 127.0.0.1:5432."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


async def admin(sql: str) -> None:
    """Run one statement as the PostgreSQL superuser."""
    conn = await asyncpg.connect(ADMIN_URL, timeout=10)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def admin_sync(sql: str) -> None:
    """:func:`admin` from synchronous code (fixtures), on a loop of its own."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(lambda: asyncio.run(admin(sql))).result()


@contextmanager
def throwaway_database(prefix: str) -> Iterator[str]:
    """A new database ``<prefix>_<random>``; its URL; dropped (forcibly) afterwards."""
    name = f"{prefix}_{secrets.token_hex(6)}"
    admin_sync(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        admin_sync(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def deployment_settings(folder: Path, prefix: str) -> Iterator[dict[str, Any]]:
    """Settings of one deployment on a throw-away database (:func:`throwaway_database`): its
    ``database_url`` and a ``secrets_dir`` (in ``folder``) holding its deployment key; for
    every hub process of the deployment alike."""
    secrets_dir = folder / "secrets"
    secrets_dir.mkdir(mode=0o700)
    (secrets_dir / "deployment.key").write_bytes(secrets.token_bytes(32))
    (secrets_dir / "deployment.key").chmod(0o600)
    with throwaway_database(prefix) as url:
        yield {"database_url": url, "secrets_dir": secrets_dir}
