"""A small generated data set, made once per test session (generation is deterministic), and
the ledger a test runs on (procedure_fixtures' ``ledger_url``: SQLite, then PostgreSQL)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from procedure_fixtures import ledger_url

from certhub.hub.comparison.engine import ComparisonRun, RunOptions, run_comparison
from certhub.hub.comparison.generate import generate

__all__ = ["ledger_url"]  # the fixture: None (SQLite), then a PostgreSQL database

PERIOD = "2026-10"
TODAY = date(2026, 12, 1)  # the run happens after the period: nothing of it is "future"

OPTIONS = RunOptions(memory_limit="512MB", threads=2, today=TODAY)


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20,000 pensioners and their feeds for 2026-10, seed 3."""
    folder = tmp_path_factory.mktemp("generated")
    generate(folder, 20_000, period=PERIOD, seed=3)
    return folder


@pytest.fixture(scope="session")
def generated_small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """5,000 pensioners and their feeds for 2026-10, seed 3: every city has some (40 or more).

    For the tests that record a whole run through partition workers into a
    ledger: what they check (each city claimed, retried or taken over, each
    certification once) does not depend on the size, and recording the
    20,000 of :func:`generated` one commit at a time took minutes.
    """
    folder = tmp_path_factory.mktemp("generated-small")
    generate(folder, 5_000, period=PERIOD, seed=3)
    return folder


@pytest.fixture(scope="session")
def province_run(generated: Path, tmp_path_factory: pytest.TempPathFactory) -> ComparisonRun:
    """The province-wide run over the generated set."""
    return run_comparison(generated, tmp_path_factory.mktemp("runs"), PERIOD, options=OPTIONS)
