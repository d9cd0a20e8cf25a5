"""Banks benchmark: reconciliation parsing (records/s, peak memory) and AMQP events end to end.

    .venv/bin/python bench/banks.py [--records 1000000 --small 100000 --events 2000]

1. Writes GBK reconciliation files of ``--small`` and ``--records`` records with
   the mock bank's writer, then parses each in a fresh child process (verify
   pass + record pass, every line handed on as a record) and reports records/s
   and the child's peak RSS (``ru_maxrss``). Streaming means the two peaks are
   about equal.
2. Publishes ``--events`` pre-signed terminal events to a uniquely named
   RabbitMQ topology, then starts a hub (temp SQLite data dir) whose
   ``bank_terminals`` adapter consumes it, and measures events/s from start-up
   until all of them are in the ledger (verify bank JWS → translate →
   InboundIngestor: hub JWS, verify, validate, ledger, receipt → ack). The
   topology is deleted afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aio_pika
from aiohttp import web
from prometheus_client import CollectorRegistry

from certhub.adapters.bank import BANK_CODES, ReconciliationFile, ReconciliationRecord
from certhub.hub.core.keys import STORE
from certhub.hub.core.settings import Settings
from certhub.hub.runtime.app import create_app
from certhub.mocks.bank import BankTerminalPublisher
from certhub.mocks.bank_files import TerminalRecord, write_reconciliation
from certhub.mocks.population import Population

AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
JOSE = "application/jose"


async def _declare_queue(names: dict[str, str]) -> None:
    """The consumer's queue, declared exactly as the adapter declares it."""
    connection = await aio_pika.connect_robust(AMQP_URL)
    channel = await connection.channel()
    exchange = await channel.declare_exchange(
        names["exchange"], aio_pika.ExchangeType.TOPIC, durable=True
    )
    queue = await channel.declare_queue(
        names["queue"], durable=True,
        arguments={"x-dead-letter-exchange": names["dead_letter_exchange"]},
    )  # fmt: skip
    await queue.bind(exchange, routing_key="certification.#")
    await connection.close()


def _records(count: int) -> Iterator[TerminalRecord]:
    population = Population(7)
    people = [population.person() for _ in range(1000)]
    when = datetime(2026, 3, 14, 9, 0)
    for index in range(count):
        person = people[index % 1000]
        yield TerminalRecord(
            f"S{index:012d}", f"T{index % 500:05d}", person["id_number"], person["name"],
            person["region"]["county"], "1" if index % 3 else "2", "1", when,
        )  # fmt: skip


def parse_child(path: Path) -> None:
    """Parse one file (run in a child process) and print its figures as JSON."""
    started = time.perf_counter()
    parsed = ReconciliationFile(path, known_banks=BANK_CODES)
    good = sum(isinstance(item, ReconciliationRecord) for item in parsed)
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"records": good, "seconds": seconds, "peak_rss_mib": peak_kib / 1024}))


def bench_parse(count: int, folder: Path) -> dict[str, float]:
    path = folder / f"recon-{count}.dat"
    with path.open("wb") as stream:
        write_reconciliation(stream, bank_code="102", file_date=date(2026, 3, 14),
                             records=_records(count))  # fmt: skip
    out = subprocess.run(
        [sys.executable, __file__, "--parse-child", str(path)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    figures: dict[str, float] = json.loads(out)
    figures["file_mib"] = path.stat().st_size / 2**20
    figures["records_per_s"] = figures["records"] / figures["seconds"]
    path.unlink()
    return figures


async def bench_amqp(events: int, folder: Path) -> dict[str, float]:
    tag = uuid.uuid4().hex[:10]
    names = {
        "exchange": f"bench.{tag}.bank",
        "queue": f"bench.{tag}.q",
        "dead_letter_exchange": f"bench.{tag}.dlx",
        "dead_letter_queue": f"bench.{tag}.dlq",
    }
    banks = BankTerminalPublisher(AMQP_URL, names["exchange"], BANK_CODES)
    keys = folder / "banks.jwks.json"
    banks.trust_store().save(keys)
    settings = Settings(
        data_dir=folder / "data",
        adapters={"bank_terminals": {"amqp_url": AMQP_URL, "bank_keys_path": str(keys),
                                     "prefetch": 256, **names}},
        ministry_pull_seconds=0,
    )  # fmt: skip
    app = create_app(settings, registry=CollectorRegistry())
    runner = web.AppRunner(app)
    await banks.connect()
    await _declare_queue(names)  # the messages wait in the queue before the hub starts
    codes = sorted(BANK_CODES)
    bodies = [banks.sign(banks.native(codes[i % len(codes)])) for i in range(events)]
    try:
        started = time.perf_counter()
        for first in range(0, events, 200):  # confirms awaited 200 at a time
            chunk = bodies[first : first + 200]
            await asyncio.gather(*(banks.publish(b, content_type=JOSE) for b in chunk))
        published = time.perf_counter() - started
        started = time.perf_counter()
        await runner.setup()  # the hub starts and drains the queue into the ledger
        for _ in iter(int, 1):  # until all are in the ledger
            if await app[STORE].count() >= events:
                break
            await asyncio.sleep(0.01)
        seconds = time.perf_counter() - started
    finally:
        await banks.close()
        await runner.cleanup()
        connection = await aio_pika.connect_robust(AMQP_URL)
        channel = await connection.channel()
        for queue in (names["queue"], names["dead_letter_queue"]):
            await channel.queue_delete(queue)
        for exchange in (names["exchange"], names["dead_letter_exchange"]):
            await channel.exchange_delete(exchange)
        await connection.close()
    return {
        "events": events,
        "seconds": seconds,
        "events_per_s": events / seconds,
        "publish_per_s": events / published,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--parse-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.parse_child:
        parse_child(args.parse_child)
        return
    with tempfile.TemporaryDirectory(prefix="certhub-bench-banks-") as tmp:
        folder = Path(tmp)
        for count in (args.small, args.records):
            figures = bench_parse(count, folder)
            print(f"parse {count:>9,} records ({figures['file_mib']:.0f} MiB): "
                  f"{figures['records_per_s']:>9,.0f} records/s, "
                  f"peak RSS {figures['peak_rss_mib']:.1f} MiB")  # fmt: skip
        amqp = asyncio.run(bench_amqp(args.events, folder))
        print(
            f"AMQP queue -> ledger: {amqp['events']:.0f} events in {amqp['seconds']:.2f}s = "
            f"{amqp['events_per_s']:,.0f} events/s (signed publish with confirms: "
            f"{amqp['publish_per_s']:,.0f}/s)"
        )


if __name__ == "__main__":
    main()
