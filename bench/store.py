"""Ledger store benchmark: appends/s of the SQLite and the PostgreSQL ledger, same durability.

    .venv/bin/python bench/store.py [--messages 20000] [--concurrency 64]
        [--admin-url postgresql://postgres@127.0.0.1:5432/postgres]

``--concurrency`` appenders each await one append after another (a closed
loop, like request handlers waiting for their 202) until ``--messages`` are
stored. Both ledgers commit durably: SQLite with ``synchronous=FULL`` (fsync
per group commit), PostgreSQL with ``synchronous_commit=on`` (WAL flush per
group commit). Plain messages (no effects) of ``--size`` bytes, each with its
"message accepted" audit link; receipts are constant strings so only the
store is measured. PostgreSQL runs in a throw-away database, dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scratch_db import create_scratch, drop_scratch

from certhub.hub.store import LedgerStore, NewMessage, RecordKind, SqliteLedger
from certhub.hub.store.postgres import PostgresLedger


def make_messages(count: int, size: int, run: str) -> list[NewMessage]:
    """``count`` distinct report messages with a ``size``-byte JWS each."""
    now = datetime.now(UTC)
    messages = []
    for n in range(count):
        jws = (f"{run}-{n}-".encode() * size)[:size]
        messages.append(
            NewMessage(
                kind=RecordKind.REPORT,
                message_type="eligibility_report/v1",
                sender="city",
                message_id=f"{run}-{n}",
                kid="kid",
                sha256=hashlib.sha256(jws).hexdigest(),
                jws=jws,
                payload=jws,
                received_at=now,
                county="440103",
                period="2024-03",
            )
        )
    return messages


async def drive(store: LedgerStore, messages: list[NewMessage], concurrency: int) -> float:
    """Append every message with ``concurrency`` closed-loop appenders; appends/s."""
    queue = iter(messages)

    async def appender() -> None:
        for message in queue:
            await store.append(message, lambda seq: f"receipt-{seq}")

    started = time.perf_counter()
    await asyncio.gather(*(appender() for _ in range(concurrency)))
    return len(messages) / (time.perf_counter() - started)


async def measure(
    name: str,
    opener: Callable[[], Awaitable[LedgerStore]],
    args: argparse.Namespace,
    batches: list[int],
) -> float:
    """Warm up, then measure one backend; print its figure."""
    store = await opener()
    try:
        await drive(store, make_messages(500, args.size, f"warm-{name}"), args.concurrency)
        batches.clear()
        rate = await drive(store, make_messages(args.messages, args.size, name), args.concurrency)
    finally:
        await store.aclose()
    mean_batch = statistics.fmean(batches) if batches else 0.0
    print(f"{name:<11} {rate:>10,.0f} appends/s   mean batch {mean_batch:6.1f} messages")
    return rate


async def main() -> None:
    """Run both backends and print appends/s and the PostgreSQL/SQLite ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--size", type=int, default=1024, help="bytes per signed message")
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    batches: list[int] = []
    print(f"{args.messages} appends, {args.concurrency} concurrent appenders, {args.size} B each")
    with tempfile.TemporaryDirectory() as folder:
        sqlite = await measure(
            "sqlite",
            lambda: SqliteLedger.open(
                Path(folder) / "ledger.db", synchronous="FULL", on_commit=batches.append
            ),
            args,
            batches,
        )
    url = await create_scratch(args.admin_url)
    try:
        postgres = await measure(
            "postgresql", lambda: PostgresLedger.open(url, on_commit=batches.append), args, batches
        )
    finally:
        await drop_scratch(args.admin_url, url)
    print(f"ratio postgresql/sqlite: {postgres / sqlite:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
