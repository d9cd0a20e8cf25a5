"""CPU per append through the SQLite ledger's writer channel, against a direct append.

    .venv/bin/python bench/ledger_channel.py [--rounds 5] [--count 2000] [--in-flight 64]
    PYTHONPATH=/tmp/before .venv/bin/python bench/ledger_channel.py   # another tree

What an ingress process of ``certhub serve --processes N`` pays, with the
writer, for each append it hands over (``hub/store/sqlite/writer_*.py``),
without HTTP or signature checks around it: the writer runs in a child
process (its ledger, its ``LedgerWriterServer``), this process appends
realistic 2 KB reports (an item under review each, as a pushed report has)
through a ``WriterClientLedger``, ``--in-flight`` at a time, in bursts of
``--count``. Per burst: CPU of this process (client) and of the child
(writer, from ``/proc``: its threads included), per append. Then the same
bursts appended directly in a ledger of this process, for the store's own
share (the receipt is signed in the transaction in both: no helper). The
medians are printed; compare trees by running it under each, alternating.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from certhub.hub.store import SqliteLedger
from certhub.hub.store.effects import Effects, ItemOpen
from certhub.hub.store.records import NewMessage, RecordKind, draft_receipt
from certhub.hub.store.sqlite.writer_client import WriterClientLedger
from certhub.hub.store.sqlite.writer_server import LedgerWriterServer
from certhub.security import ReceiptSigner, SigningKey

SIGNER = ReceiptSigner(SigningKey.generate(), hub_id="certhub-bench")
EFFECTS = Effects(item=ItemOpen("report"))
WARM_UP = 500


def report(n: int) -> NewMessage:
    """The ``n``-th report: the sizes and columns of the ingress bench's reports."""
    payload = json.dumps({"n": n, "pad": "x" * 600}).encode()
    jws = b"eyJhbGciOiJFZERTQSJ9." + b"A" * 1100 + str(n).encode()
    return NewMessage(
        kind=RecordKind.REPORT,
        message_type="eligibility_report/v1",
        sender="county-440103",
        message_id=str(uuid.uuid4()),
        kid="k" * 43,
        sha256=hashlib.sha256(jws).hexdigest(),
        jws=jws,
        payload=payload,
        received_at=datetime.now(UTC),
        county="440103",
        reason="death",
        period="2026-12",
        village="440103001",
        person_id="440103199001011234",
    )


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of every thread of ``pid``."""
    ticks = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        fields = (task / "stat").read_text().rpartition(")")[2].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


async def burst(
    store: SqliteLedger, start: int, count: int, in_flight: int, writer: int | None
) -> tuple[float, float]:
    """(this process's, the writer child's) CPU µs per append of ``count`` appends."""
    messages = [report(n) for n in range(start, start + count)]
    slots = asyncio.Semaphore(in_flight)

    async def one(message: NewMessage) -> None:
        async with slots:
            await store.append(message, draft_receipt(SIGNER, message), EFFECTS)

    mine, theirs = time.process_time(), process_cpu(writer) if writer else 0.0
    await asyncio.gather(*(one(m) for m in messages))
    child = process_cpu(writer) - theirs if writer else 0.0
    return (time.process_time() - mine) / count * 1e6, child / count * 1e6


async def serve(folder: Path) -> None:
    """The writer child: serve the channel until standard input closes."""
    ledger = await SqliteLedger.open(folder / "ledger.sqlite3")
    server = LedgerWriterServer(ledger, lambda: SIGNER, folder / "writer.sock")
    await server.start()
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await server.aclose()
    await ledger.aclose()


async def measure(args: argparse.Namespace, folder: Path, writer: int) -> None:
    """Bursts through the channel, then directly; the medians."""
    client = await WriterClientLedger.connect(folder / "ledger.sqlite3", folder / "writer.sock")
    direct = await SqliteLedger.open(folder / "direct.sqlite3")
    try:
        await burst(client, 10**9, WARM_UP, args.in_flight, writer)
        await burst(direct, 10**9, WARM_UP, args.in_flight, None)
        crossing, own = [], []
        for round_ in range(args.rounds):
            start = round_ * args.count
            crossing.append(await burst(client, start, args.count, args.in_flight, writer))
            own.append((await burst(direct, start, args.count, args.in_flight, None))[0])
    finally:
        await client.aclose()
        await direct.aclose()
    client_cpu = statistics.median(c for c, _ in crossing)
    writer_cpu = statistics.median(w for _, w in crossing)
    totals = [round(c + w) for c, w in crossing]
    print(
        f"through the channel: client {client_cpu:.0f} + writer {writer_cpu:.0f}"
        f" = {statistics.median(totals):.0f} µs per append (by burst {totals});"
        f" direct: {statistics.median(own):.0f} µs"
        f" ({args.rounds} bursts of {args.count}, {args.in_flight} in flight)"
    )


def main() -> None:
    """Parse the command line; start the writer child and measure."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--in-flight", type=int, default=64)
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)  # the writer child
    args = parser.parse_args()
    if args.serve is not None:
        asyncio.run(serve(args.serve))
        return
    folder = Path(tempfile.mkdtemp(prefix="ledger-channel-"))
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(folder)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    stdin, stdout = child.stdin, child.stdout
    if stdin is None or stdout is None:  # both piped above
        raise RuntimeError("the writer child has no pipes")
    try:
        stdout.readline()  # "ready"
        asyncio.run(measure(args, folder, child.pid))
    finally:
        stdin.close()
        child.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)  # two ledgers of 2 KB reports


if __name__ == "__main__":
    main()
