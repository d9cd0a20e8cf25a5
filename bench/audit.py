"""``certhub audit verify`` speed: records/s checked by one process and by one per CPU.

    .venv/bin/python bench/audit.py [--records 100000] [--workers 0]

Builds an embedded ledger of ``--records`` realistic signed eligibility
reports (about 1 KB each, appended through the ledger's group commit with
their audit links and a signed checkpoint every 1,000 entries), then runs
the verifier that ``certhub audit verify`` runs — chain, checkpoints and
every record's Ed25519 signature — once with one process and once with
``--workers`` (default: one per usable CPU), alternating, ``--rounds`` times.
Prints records/s of each and the speed-up; the figures are the medians.
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
from certhub.mocks.population import Population
from certhub.security import HubKeyring, SigningKey, TrustStore, VerifyingKey, sign_compact

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


async def fill(path: Path, keyring: HubKeyring, sender: SigningKey, records: int) -> None:
    """Append ``records`` signed reports (signed on every core first, then committed)."""
    chunk = 10_000
    sizes = [min(chunk, records - start) for start in range(0, records, chunk)]
    with ProcessPoolExecutor(os.cpu_count()) as pool:
        parts = pool.map(
            _messages,
            itertools.repeat(sender.to_pem()),
            itertools.repeat(sender.kid),
            itertools.count(11),
            sizes,
        )
        messages = [message for part in parts for message in part]
    ledger = await SqliteLedger.open(
        path, checkpoint=checkpoint_signer(lambda: keyring.active, "certhub")
    )
    try:
        for start in range(0, len(messages), 2048):
            batch = messages[start : start + 2048]
            await asyncio.gather(*(ledger.append(m, lambda seq: f"r{seq}") for m in batch))
    finally:
        await ledger.aclose()


async def verify(
    path: Path, trust: TrustStore, hub_keys: dict[str, VerifyingKey], workers: int
) -> float:
    """Seconds the verifier took (every record must verify)."""
    ledger = await SqliteLedger.open_read_only(path)
    try:
        started = time.perf_counter()
        report = await verify_ledger(ledger, trust=trust, hub_keys=hub_keys, workers=workers)
        took = time.perf_counter() - started
    finally:
        await ledger.aclose()
    if not report.ok:
        raise RuntimeError(f"the benchmark ledger did not verify: {report.problems[:3]}")
    return took


async def run(args: argparse.Namespace) -> dict[str, object]:
    """Build the ledger, then time the verifier alternately with 1 and N workers."""
    work = Path(tempfile.mkdtemp(prefix="certhub-audit-bench-"))
    keyring = HubKeyring.load_or_create(work / "keys")
    sender = SigningKey.generate()
    trust = TrustStore.empty().add(
        sender.public_jwk(), sender=SENDER, may_send=[TYPE], may_read=False
    )
    path = work / "ledger.sqlite3"
    started = time.perf_counter()
    await fill(path, keyring, sender, args.records)
    filled = time.perf_counter() - started
    hub_keys = {jwk["kid"]: VerifyingKey.from_jwk(jwk) for jwk in keyring.jwks()["keys"]}
    workers = args.workers or len(os.sched_getaffinity(0))
    times: dict[int, list[float]] = {1: [], workers: []}
    for _ in range(args.rounds):
        for count, took in times.items():
            took.append(await verify(path, trust, hub_keys, count))
    rates = {count: [args.records / t for t in took] for count, took in times.items()}
    return {
        "records": args.records,
        "fill_seconds": round(filled, 1),
        "database_bytes": path.stat().st_size,
        "records_per_second": {str(k): [round(r) for r in v] for k, v in rates.items()},
        "median_records_per_second": {
            str(k): round(statistics.median(v)) for k, v in rates.items()
        },
        "speedup": round(statistics.median(rates[workers]) / statistics.median(rates[1]), 2),
        "workers": workers,
        "cpu_count": os.cpu_count(),
    }


def main() -> None:
    """Parse arguments, run, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=0, help="default: one per usable CPU")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    figures = asyncio.run(run(args))
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
