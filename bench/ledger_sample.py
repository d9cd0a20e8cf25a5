# ruff: noqa: PLC0415, S608 -- imports wait for the caller's code tree; SQL over our own temp files
"""A sample of a comparison run to record into a fresh ledger, for the ledger-write benchmarks.

``bench/comparison.py --ledger-only`` and ``bench/ledger_ab.py`` both record the first
certifications of a ``certhub compare run`` folder; the certhub modules are imported
only when called, so ``ledger_ab.py`` measures whichever code tree it put first on
``sys.path``.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

PERIOD = "2026-10"


def ledger_sample(runs: Path, limit: int, url: str) -> tuple[Any, Any]:
    """The first ``limit`` certifications of ``runs``' run as a run of their own, and the
    settings of a fresh ledger to record them in (SQLite under ``runs``, or the PostgreSQL
    database ``url``; ``-`` for SQLite): ``(ComparisonRun, Settings)``."""
    import duckdb

    from certhub.hub.comparison.engine import ComparisonRun
    from certhub.hub.core.settings import Settings

    tag = secrets.token_hex(4)
    sample = runs / f"ledger-sample-{tag}" / f"{PERIOD}-all"
    sample.mkdir(parents=True)
    source = runs / f"{PERIOD}-all" / "certifications.parquet"
    duckdb.execute(
        f"COPY (SELECT * FROM '{source}' LIMIT {limit}) TO '{sample}/certifications.parquet'"
    )
    run = ComparisonRun(f"{PERIOD}-all", sample, {"certified": limit})
    settings = Settings(
        data_dir=runs / f"ledger-data-{tag}",
        database_url=None if url == "-" else url,
        role="ingress",
        signature_helper=False,
        ministry_pull_seconds=0,
        metrics_port=None,
    )
    return run, settings
