"""``GET /v1/comparison-runs/{id}`` and the comparison's metrics, through the real HTTP API."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hubkit import Hub, write_trust_store
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from certhub.hub.comparison.engine import ComparisonRun, run_comparison
from certhub.hub.core.settings import Settings
from certhub.hub.runtime.app import create_app
from certhub.security import SigningKey, TrustStore, issue_read_token
from certhub.security.scopes import parse_area

from .conftest import OPTIONS, PERIOD

PROBLEM = "urn:certhub:problem:"


@pytest.fixture
async def runs_hub(
    aiohttp_client: Callable[..., Any],
    tmp_path: Path,
    province_run: ComparisonRun,
    generated: Path,
) -> Hub:
    """A hub whose data folder holds the province-wide run and city 4453's run of PERIOD."""
    settings = Settings(data_dir=tmp_path / "data")
    runs = settings.data_dir / "comparison-runs"
    runs.mkdir(parents=True)
    shutil.copy(province_run.folder.parent / f"{province_run.run_id}.json", runs)
    run_comparison(generated, runs, PERIOD, city="4453", options=OPTIONS)
    keys = {p: SigningKey.generate() for p in ("city", "other-city", "channel", "province")}
    keys |= {"intruder": SigningKey.generate(), "zhaoqing": SigningKey.generate()}
    write_trust_store(settings.trust_store_path, keys)
    store = TrustStore.load(settings.trust_store_path).add(
        keys["zhaoqing"].public_jwk(), sender="zhaoqing", may_send=[], may_read=True,
        area=parse_area("445300"),
    )  # fmt: skip
    store.save(settings.trust_store_path)
    client = await aiohttp_client(create_app(settings, registry=CollectorRegistry()))
    return Hub(client, settings, keys)


async def _get(hub: Hub, run_id: str, party: str | None = "province") -> tuple[int, Any]:
    headers = {}
    if party is not None:
        headers["Authorization"] = f"Bearer {issue_read_token(hub.keys[party], sender=party)}"
    response = await hub.client.get(f"/v1/comparison-runs/{run_id}", headers=headers)
    return response.status, await response.json(content_type=None)


async def test_a_run_summary_is_served_as_written(
    runs_hub: Hub, province_run: ComparisonRun
) -> None:
    status, body = await _get(runs_hub, f"{PERIOD}-all")
    assert status == 200
    assert body == json.loads(json.dumps(province_run.summary, default=str))
    assert body["certified"] == province_run.summary["certified"] > 0
    status, city = await _get(runs_hub, f"{PERIOD}-4453")
    assert status == 200
    assert city["cities"] == {"4453": body["cities"]["4453"]}


@pytest.mark.parametrize(
    ("run_id", "status", "slug"),
    [
        ("2026-13-all", 400, "invalid-parameter"),
        ("2026-10-4410x", 400, "invalid-parameter"),
        ("2026-10-ALL", 400, "invalid-parameter"),
        ("2025-10-all", 404, "not-found"),
        ("2026-10-4401", 404, "not-found"),
    ],
)
async def test_a_bad_or_unknown_run_id_is_a_problem(
    runs_hub: Hub, run_id: str, status: int, slug: str
) -> None:
    got, body = await _get(runs_hub, run_id)
    assert (got, body["type"]) == (status, PROBLEM + slug)


async def test_readers_only_and_only_inside_their_area(runs_hub: Hub) -> None:
    status, body = await _get(runs_hub, f"{PERIOD}-all", party=None)
    assert (status, body["type"]) == (401, PROBLEM + "authentication-required")
    assert (await _get(runs_hub, f"{PERIOD}-4453", party="zhaoqing"))[0] == 200
    assert (await _get(runs_hub, f"{PERIOD}-all", party="zhaoqing"))[0] == 404


async def test_metrics_show_the_latest_run_of_each_scope(
    runs_hub: Hub, province_run: ComparisonRun
) -> None:
    text = await (await runs_hub.client.get("/metrics")).text()
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name.startswith("certhub_comparison_")
    }
    summary = province_run.summary
    assert samples[("certhub_comparison_exempt_ratio", (("scope", "all"),))] == pytest.approx(
        summary["exempt_ratio"]
    )
    people = "certhub_comparison_people"
    assert samples[(people, (("outcome", "certified"), ("scope", "all")))] == summary["certified"]
    open_tasks = sum(kind.get("open", 0) for kind in summary["tasks"].values())
    assert samples[(people, (("outcome", "task_open"), ("scope", "all")))] == open_tasks
    assert (
        samples[(people, (("outcome", "roster"), ("scope", "4453")))]
        == (summary["cities"]["4453"]["roster"])
    )
    refused = sum(e["count"] for e in summary["refused"]["health"].values())
    key = ("certhub_comparison_refused_rows", (("scope", "all"), ("source", "health")))
    assert samples[key] == refused
    assert ("certhub_comparison_duration_seconds", (("scope", "4453"),)) in samples
