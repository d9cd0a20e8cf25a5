"""A comparison run's summary, asked of another process of the same PostgreSQL deployment.

Found following README's "Deploying on two machines" on one host: ``certhub compare
run`` on ``db1`` (the worker's data folder) recorded the month in the shared ledger,
but ``GET /v1/comparison-runs/<period>-all`` through both ingress units answered
``not-found``, and only the worker's ``/metrics`` had the ``certhub_comparison_*``
series: the summaries are files in ``DATA/comparison-runs`` of the process that ran
the comparison, and the units' data folders are their own (``StateDirectory``). The
comparison section calls that folder "shared storage"; the deployment steps never
set one up.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pgkit import throwaway_database
from procedurekit import PARTIES, open_office
from questionkit import decision_wanted

from certhub.hub.comparison.engine import run_comparison
from certhub.hub.comparison.generate import generate
from certhub.security import SigningKey

from .conftest import OPTIONS, PERIOD


@decision_wanted(
    "on a PostgreSQL deployment a comparison summary lives in the data"
    " folder of the process that ran it, so the ingress units behind the load balancer never"
    " serve it; keep summaries in the database, or make the deployment mount one shared"
    " comparison-runs folder in every unit (README steps and units)?"
)
async def test_a_run_made_beside_one_process_is_served_by_another(
    aiohttp_client: Callable[..., Any], tmp_path: Path
) -> None:
    keys = {party: SigningKey.generate() for party in PARTIES}
    shared = tmp_path / "secrets"  # every process of a deployment holds the same key
    shared.mkdir(mode=0o700)
    (shared / "deployment.key").write_bytes(secrets.token_bytes(32))
    (shared / "deployment.key").chmod(0o600)
    inputs = tmp_path / "inputs"
    generate(inputs, 60, period=PERIOD, seed=3)
    with throwaway_database("certhub_runs_units") as url:
        worker = await open_office(
            aiohttp_client, tmp_path / "worker", keys, database_url=url, secrets_dir=shared
        )
        ingress = await open_office(
            aiohttp_client, tmp_path / "ingress", keys, database_url=url, secrets_dir=shared
        )
        try:
            run = run_comparison(
                inputs, worker.settings.data_dir / "comparison-runs", PERIOD, options=OPTIONS
            )
            status, _ = await worker.get(f"/v1/comparison-runs/{run.run_id}")
            assert status == 200  # the process whose folder holds it
            status, body = await ingress.get(f"/v1/comparison-runs/{run.run_id}")
        finally:
            for office in (worker, ingress):
                await office.client.close()  # before the database is dropped
        assert status == 200, body
