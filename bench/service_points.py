"""The e-map's nearest-point search over 30,000 service points: prefiltered vs. full scan.

Generates ``--points`` random active points across Guangdong (seeded), imports
them through the real import path into a fresh ledger (SQLite, or PostgreSQL
with ``--database-url``), then answers ``--queries`` random "nearest 5" searches
two ways, in alternating rounds on the same ledger:

* **prefiltered** — :func:`certhub.hub.service_points.nearest`: the ``(lat, lon)``
  index picks the rows in a bounding box, exact haversine for those only;
* **full scan** — every active row read, haversine for each, sorted (what the
  search would cost without the box).

Both must return the same points for every query (checked). Prints one JSON
line: import time, per-query medians and p95 of each, rows read per query and
the ratio. ``python bench/service_points.py [--points N] [--queries Q] [--database-url URL]``
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from scratch_db import add_database_url_option, create_scratch, drop_scratch

from certhub.hub.core.settings import Settings
from certhub.hub.service_points import import_file, nearest, parse_file
from certhub.hub.service_points.geo import haversine_m
from certhub.hub.service_points.registry import from_row
from certhub.hub.store import open_ledger
from certhub.hub.store.service_points import COLUMNS

KINDS = ("yuezhizhu_kiosk", "si_terminal", "bank_branch", "bank_terminal", "township_counter")
COUNTIES = ("445302", "445303", "445321", "445322", "445381", "441202", "441203", "441204")
FULL_SCAN = f"SELECT {COLUMNS} FROM service_points WHERE status = 'active'"  # noqa: S608


def points_csv(count: int, seed: int) -> bytes:
    """``count`` random points in Guangdong's box, as an import file."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "kind", "name", "address", "county", "lat", "lon", "methods", "hours"])
    for n in range(count):
        writer.writerow([
            f"b-{n}", rng.choice(KINDS), f"服务点{n}", f"测试地址{n}号", rng.choice(COUNTIES),
            f"{rng.uniform(20.3, 25.4):.6f}", f"{rng.uniform(109.8, 117.2):.6f}",
            rng.choice(("face", "face|counter", "finger_vein|face")), "Mo-Fr 08:30-17:30",
        ])  # fmt: skip
    return out.getvalue().encode()


async def full_scan(ledger: object, lat: float, lon: float, limit: int) -> list[str]:
    """The nearest ``limit`` by reading every active row (the baseline)."""
    rows = await ledger._read(FULL_SCAN, ())  # type: ignore[attr-defined]
    ranked = sorted(
        rows, key=lambda r: (haversine_m(lat, lon, float(r[5]), float(r[6])), str(r[0]))
    )
    return [from_row(row).id for row in ranked[:limit]]


async def run(settings: Settings, points: int, queries: int, seed: int) -> dict[str, object]:
    ledger = await open_ledger(settings)
    try:
        data = points_csv(points, seed)
        began = time.perf_counter()
        report = await import_file(
            ledger, parse_file(data, "bench.csv"), source="bench", actor="bench", data=data
        )
        imported = time.perf_counter() - began
        if report.created != points:
            raise SystemExit(f"import stored {report.created} of {points} points: {report}")
        rng = random.Random(seed + 1)
        origins = [(rng.uniform(20.5, 25.2), rng.uniform(110.0, 117.0)) for _ in range(queries)]
        fast: list[float] = []
        slow: list[float] = []
        for lat, lon in origins:  # alternate, so both see the same machine load
            t0 = time.perf_counter()
            answer = await nearest(ledger, lat, lon, method=None, limit=5)
            found = [near.point.id for near in answer]
            t1 = time.perf_counter()
            baseline = await full_scan(ledger, lat, lon, 5)
            t2 = time.perf_counter()
            if found != baseline:
                raise SystemExit(f"different answers at {lat}, {lon}: {found} vs {baseline}")
            fast.append(t1 - t0)
            slow.append(t2 - t1)
    finally:
        await ledger.aclose()
    return {
        "backend": "postgres" if settings.database_url else "sqlite",
        "points": points,
        "queries": queries,
        "import_seconds": round(imported, 2),
        "prefiltered_ms": _summary(fast),
        "full_scan_ms": _summary(slow),
        "speedup_median": round(statistics.median(slow) / statistics.median(fast), 1),
    }


def _summary(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    return {
        "median": round(statistics.median(ordered) * 1000, 2),
        "p95": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 2),
    }


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=30_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    add_database_url_option(parser, "the registry")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="certhub-bench-map-") as folder:
        scratch = await create_scratch(args.database_url) if args.database_url else None
        try:
            settings = Settings(data_dir=Path(folder), database_url=scratch)
            result = await run(settings, args.points, args.queries, args.seed)
        finally:
            if scratch is not None:
                await drop_scratch(args.database_url, scratch)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
