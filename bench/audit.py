"""``certhub audit verify`` speed: records/s checked by one process and by one per CPU,
and how it grows with the ledger.

    .venv/bin/python bench/audit.py [--records 100000 1000000] [--workers 0] [--rounds 3]

Builds an embedded ledger of realistic signed eligibility reports (about
1 KB each, appended through the ledger's group commit with their audit links
and a signed checkpoint every 1,000 entries) up to the first ``--records``
size, then runs the verifier that ``certhub audit verify`` runs — chain,
checkpoints and every record's Ed25519 signatures (the message's and the
hub's receipt) and audit link — once with one process and
once with ``--workers`` (default: one per usable CPU), alternating,
``--rounds`` times; then fills the *same* ledger on to the next size and
measures again. Prints, per size, records/s of each (medians), the speed-up,
the time before the first record check (chain and checkpoints), and the
rate over each tenth of the records pass of the last round — so growth shows
both between sizes and within one pass.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import itertools
import json
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from certhub.hub.audit import checkpoint_signer, verify_ledger
from certhub.hub.store import NewMessage, RecordKind, SqliteLedger
from certhub.hub.store.records import draft_receipt
from certhub.mocks.population import Population
from certhub.security import (
    HubKeyring,
    ReceiptSigner,
    SigningKey,
    TrustStore,
    VerifyingKey,
    sign_compact,
)

SENDER = "bench-city"
TYPE = "eligibility_report/v1"


def _messages(key_pem: bytes, kid: str, seed: int, count: int) -> list[NewMessage]:
    key = SigningKey.from_pem(key_pem, kid=kid)
    population = Population(seed=seed)
    now = datetime.now(UTC)
    made = []
    for _ in range(count):
        payload = json.dumps(population.eligibility_report(), ensure_ascii=False).encode()
        jti = population.message_id()
        jws = sign_compact(payload, key=key, typ=TYPE, sender=SENDER, jti=jti)
        made.append(
            NewMessage(
                kind=RecordKind.REPORT,
                message_type=TYPE,
                sender=SENDER,
                message_id=jti,
                kid=key.kid,
                sha256=hashlib.sha256(jws).hexdigest(),
                jws=jws,
                payload=payload,
                received_at=now,
            )
        )
    return made


async def fill(
    path: Path, keyring: HubKeyring, sender: SigningKey, records: int, *, first_seed: int
) -> int:
    """Append ``records`` signed reports: signed on every core in chunks, each chunk
    committed as it arrives (memory stays one chunk per core, whatever ``records``).
    Chunk ``n`` draws from seed ``first_seed + n``; the next unused seed is returned."""
    chunk = 10_000
    sizes = [min(chunk, records - start) for start in range(0, records, chunk)]
    ledger = await SqliteLedger.open(
        path, checkpoint=checkpoint_signer(lambda: keyring.active, "certhub")
    )
    receipts = ReceiptSigner(keyring.active)  # the verifier checks each record's receipt too
    try:
        with ProcessPoolExecutor(os.cpu_count()) as pool:
            parts = pool.map(
                _messages,
                itertools.repeat(sender.to_pem()),
                itertools.repeat(sender.kid),
                itertools.count(first_seed),
                sizes,
            )
            for messages in parts:
                for start in range(0, len(messages), 2048):
                    batch = messages[start : start + 2048]
                    signed = (ledger.append(m, draft_receipt(receipts, m)) for m in batch)
                    await asyncio.gather(*signed)
    finally:
        await ledger.aclose()
    return first_seed + len(sizes)


class Pass:
    """The clock of one verification: when its record checks began and each tenth ended."""

    def __init__(self) -> None:
        """Started now."""
        self.started = time.perf_counter()
        self.first_check: float | None = None  # when the first page of records was checked
        self.tenths: list[tuple[int, float]] = []  # (records checked, when), from that page

    def progress(self, done: int, total: int) -> None:
        """The verifier's progress callback."""
        now = time.perf_counter()
        if self.first_check is None:
            self.first_check = now
            self.tenths.append((done, now))
        elif total and done * 10 >= total * len(self.tenths):
            self.tenths.append((done, now))

    def tenth_rates(self) -> list[int]:
        """Records/s over each tenth of the records pass (after its first page)."""
        if not self.tenths:
            return []
        rates, (before, at) = [], self.tenths[0]
        for done, when in self.tenths[1:]:
            rates.append(round((done - before) / max(when - at, 1e-9)))
            before, at = done, when
        return rates


async def verify(
    path: Path, trust: TrustStore, hub_keys: dict[str, VerifyingKey], workers: int
) -> tuple[float, Pass]:
    """Seconds the verifier took (every record must verify), and its clock."""
    ledger = await SqliteLedger.open_read_only(path)
    try:
        clock = Pass()
        report = await verify_ledger(
            ledger, trust=trust, hub_keys=hub_keys, workers=workers, progress=clock.progress
        )
        took = time.perf_counter() - clock.started
    finally:
        await ledger.aclose()
    if not report.ok:
        raise RuntimeError(f"the benchmark ledger did not verify: {report.problems[:3]}")
    return took, clock


async def measure(
    path: Path, records: int, *, trust: TrustStore, hub_keys: dict[str, VerifyingKey],
    workers: int, rounds: int,
) -> dict[str, object]:  # fmt: skip
    """The verifier over ``records`` records, alternately with 1 and ``workers`` processes."""
    times: dict[int, list[float]] = {1: [], workers: []}
    clocks: dict[int, Pass] = {}
    for _ in range(rounds):
        for count, took in times.items():
            seconds, clocks[count] = await verify(path, trust, hub_keys, count)
            took.append(seconds)
    rates = {count: [records / t for t in took] for count, took in times.items()}
    return {
        "records": records,
        "database_bytes": os.path.getsize(path),  # noqa: ASYNC240 (once, between passes)
        "records_per_second": {str(k): [round(r) for r in v] for k, v in rates.items()},
        "median_records_per_second": {
            str(k): round(statistics.median(v)) for k, v in rates.items()
        },
        "speedup": round(statistics.median(rates[workers]) / statistics.median(rates[1]), 2),
        "seconds_before_record_checks": {
            str(k): round((c.first_check or c.started) - c.started, 2) for k, c in clocks.items()
        },
        "records_per_second_by_tenth_last_round": {
            str(k): c.tenth_rates() for k, c in clocks.items()
        },
    }


async def run(args: argparse.Namespace) -> dict[str, object]:
    """Fill one ledger size by size; at each, time the verifier with 1 and N workers."""
    work = Path(tempfile.mkdtemp(prefix="certhub-audit-bench-"))
    keyring = HubKeyring.load_or_create(work / "keys")
    sender = SigningKey.generate()
    trust = TrustStore.empty().add(
        sender.public_jwk(), sender=SENDER, may_send=[TYPE], may_read=False
    )
    path = work / "ledger.sqlite3"
    hub_keys = {jwk["kid"]: VerifyingKey.from_jwk(jwk) for jwk in keyring.jwks()["keys"]}
    workers = args.workers or len(os.sched_getaffinity(0))
    sizes, have, seed, fill_seconds = [], 0, 11, 0.0
    for records in sorted(set(args.records)):
        started = time.perf_counter()
        seed = await fill(path, keyring, sender, records - have, first_seed=seed)
        fill_seconds += time.perf_counter() - started
        have = records
        size = await measure(
            path, records, trust=trust, hub_keys=hub_keys, workers=workers, rounds=args.rounds
        )
        print(json.dumps(size), file=sys.stderr, flush=True)  # a long run shows each size
        sizes.append(size | {"fill_seconds_so_far": round(fill_seconds, 1)})
    first, last = sizes[0], sizes[-1]
    growth = {
        str(k): round(
            last["median_records_per_second"][str(k)]  # type: ignore[index]
            / first["median_records_per_second"][str(k)],  # type: ignore[index]
            2,
        )
        for k in (1, workers)
    }
    return {
        "sizes": sizes,
        "rate_at_largest_over_rate_at_smallest": growth,
        "workers": workers,
        "cpu_count": os.cpu_count(),
    }


def main() -> None:
    """Parse arguments, run, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--records", type=int, nargs="+", default=[100_000],
        help="ledger sizes, measured in turn on one ledger filled on (e.g. 100000 1000000)",
    )  # fmt: skip
    parser.add_argument("--workers", type=int, default=0, help="default: one per usable CPU")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    figures = asyncio.run(run(args))
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
