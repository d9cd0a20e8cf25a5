"""A throw-away PostgreSQL database for one benchmark run, on a server the caller names.

``server_url`` is any database on that server the user may create databases
from (e.g. ``postgresql://postgres@127.0.0.1:5432/postgres``); the scratch
database gets a fresh name, so runs never meet each other's rows.
"""

from __future__ import annotations

import argparse
import secrets

import asyncpg


async def admin(server_url: str, sql: str) -> None:
    """Run one statement on the server's maintenance database."""
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def create_scratch(server_url: str) -> str:
    """Create a new, empty database on that server; its URL."""
    database = f"certhub_bench_{secrets.token_hex(4)}"
    await admin(server_url, f'CREATE DATABASE "{database}"')
    return server_url.rsplit("/", 1)[0] + f"/{database}"


async def drop_scratch(server_url: str, scratch_url: str) -> None:
    """Drop the database :func:`create_scratch` made, even with connections left open."""
    database = scratch_url.rsplit("/", 1)[1]
    await admin(server_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def add_database_url_option(parser: argparse.ArgumentParser, what: str) -> None:
    """``--database-url``: put ``what`` on PostgreSQL, in a scratch database on that server."""
    parser.add_argument(
        "--database-url",
        help=f"run {what} on PostgreSQL: a throw-away database is created on this server"
        " (e.g. postgresql://postgres@127.0.0.1:5432/postgres) and dropped; default SQLite",
    )
