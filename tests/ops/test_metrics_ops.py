"""Metrics an ops team can run on: process health, the real commit, bounded labels (16 §3)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hub_fixtures import hub, hub_factory, party_keys
from hubkit import Hub
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from certhub.hub.core.keys import METRICS, TRUST
from certhub.monitoring.adapter_metrics import AdapterMetrics
from certhub.monitoring.labels import sender_label
from certhub.monitoring.metrics import HubMetrics
from certhub.schemas import Role
from certhub.security import SigningKey, TrustStore

__all__ = ["hub", "hub_factory", "party_keys"]

REPO = Path(__file__).resolve().parents[2]
DASHBOARD = REPO / "monitoring" / "dashboards" / "certhub.json"
# Gauges every process reads from the shared database: summing them over N processes
# shows N times the truth.
DATABASE_WIDE = (
    "certhub_outbox_backlog_messages",
    "certhub_outbox_oldest_age_seconds",
    "certhub_dlq_messages",
    "certhub_report_missing_regions",
    "certhub_report_deadline_timestamp_seconds",
    "certhub_verification_tasks",
    "certhub_verification_tasks_overdue",
    "certhub_reports_under_review_overdue",
)


async def _scrape(hub: Hub) -> dict[str, Any]:
    response = await hub.client.get("/metrics")
    assert response.status == 200
    return {family.name: family for family in text_string_to_metric_families(await response.text())}


async def test_metrics_include_process_health(hub: Hub) -> None:
    families = await _scrape(hub)
    for name in (
        "process_cpu_seconds",
        "process_resident_memory_bytes",
        "process_open_fds",
        "process_start_time_seconds",
        "python_info",
    ):
        assert name in families, name
    [rss] = families["process_resident_memory_bytes"].samples
    assert rss.value > 10 * 1024 * 1024  # a real reading of this process, not a placeholder


def _git_head() -> str:
    git = shutil.which("git")
    assert git is not None
    return subprocess.run(
        [git, "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()


async def test_build_info_names_the_checkout_commit(hub: Hub) -> None:
    head = _git_head()
    [info] = (await _scrape(hub))["certhub_build_info"].samples
    assert info.labels["commit"] == head
    assert info.labels["commit"] != "unknown"


async def test_build_info_shows_the_commit_the_deployment_set(
    hub_factory: Any,
) -> None:
    started: Hub = await hub_factory(build_commit="0123abcd")
    [info] = (await _scrape(started))["certhub_build_info"].samples
    assert info.labels["commit"] == "0123abcd"


async def test_every_committed_push_times_its_ledger_write(hub: Hub) -> None:
    registry = hub.client.app[METRICS].registry
    before = registry.get_sample_value("certhub_ledger_write_duration_seconds_count") or 0
    for _ in range(3):
        status, _ = await hub.push(hub.sign(hub.report()))
        assert status == 202
    after = registry.get_sample_value("certhub_ledger_write_duration_seconds_count")
    assert after is not None
    assert after - before >= 3
    assert (registry.get_sample_value("certhub_ledger_write_duration_seconds_sum") or 0) > 0


@pytest.mark.parametrize(
    ("sender", "role", "label"),
    [
        ("yunfu-platform", "reporting_system", "yunfu-platform"),
        ("gd-provincial", "provincial_system", "gd-provincial"),
        ("adapter:bank_terminals", "department", "adapter:bank_terminals"),
        ("legacy-city", None, "legacy-city"),
        ("coord-440103001001-k7", "coordinator", "role:coordinator"),
        ("county-yuncheng-review", "county_reviewer", "role:county_reviewer"),
        ("ops-alice", "ops", "role:ops"),
    ],
)
def test_people_are_counted_by_role_systems_by_name(
    sender: str, role: str | None, label: str
) -> None:
    assert sender_label(sender, role) == label


def test_the_sender_label_is_bounded_by_the_roles_of_people() -> None:
    labels = {sender_label(f"coord-{n:012d}", Role.coordinator) for n in range(5000)}
    assert labels == {"role:coordinator"}


async def test_thousands_of_coordinator_keys_make_one_series(
    hub_factory: Any, tmp_path: Path, party_keys: dict[str, SigningKey]
) -> None:
    started: Hub = await hub_factory()
    phones = {f"coord-44530200100{n}": SigningKey.generate() for n in range(3)}
    store = TrustStore.load(started.settings.trust_store_path)
    for sender, key in phones.items():
        store = store.add(
            key.public_jwk(), sender=sender, may_send=["zero_report/v1"], role="coordinator"
        )
    store.save(started.settings.trust_store_path)
    started.client.app[TRUST].reload_if_changed()
    for n, (sender, key) in enumerate(phones.items()):
        started.keys[sender] = key
        payload = started.population.zero_report(f"2026-0{n + 1}")
        payload["reporter"]["id"] = sender  # whoever collects registers, under their own key
        status, body = await started.push(started.sign(payload, party=sender, sender=sender))
        assert status == 202, body
    families = await _scrape(started)
    senders = {
        s.labels["sender"]
        for s in families["certhub_messages_received"].samples
        if s.labels.get("outcome") == "accepted"
    }
    assert senders == {"role:coordinator"}
    expiry = families.get("certhub_trust_key_not_after_timestamp_seconds")
    assert expiry is None or all(
        not s.labels["sender"].startswith("coord-") for s in expiry.samples
    )


def test_an_adapter_signature_failure_counts_where_the_alert_looks() -> None:
    registry = CollectorRegistry()
    hub_metrics = HubMetrics(registry)
    adapters = AdapterMetrics(registry, signature_failures=hub_metrics.signature_failures)
    adapters.count_signature_failure()
    adapters.count_signature_failure()
    value = registry.get_sample_value
    assert value("certhub_signature_failures_total", {"reason": "signature-invalid"}) == 2


def _expressions() -> list[str]:
    model = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return [target["expr"] for panel in model["panels"] for target in panel.get("targets", [])]


def test_database_wide_gauges_are_never_added_up_across_processes() -> None:
    for expr in _expressions():
        for gauge in DATABASE_WIDE:
            for match in re.finditer(rf"(\w+)(?:\s+by\s+\([^)]*\))?\s*\(\s*{gauge}\b", expr):
                assert match.group(1) in {"max", "min"}, f"{match.group(1)} of {gauge}: {expr}"
    assert "max by () (certhub_outbox_backlog_messages" in " ".join(_expressions())


def test_every_selector_follows_the_job_and_instance_variables() -> None:
    model = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    variables = {v["name"]: v for v in model["templating"]["list"]}
    assert variables["job"]["current"]["value"] == "certhub"  # the alert rules' job
    assert variables["instance"]["includeAll"] is True
    assert variables["instance"]["allValue"] == ".*"
    selectors = [
        match
        for expr in _expressions()
        for match in re.finditer(r"\b((?:certhub|process)_\w+|up)\b(\{[^}]*\})?(?!\s*\()", expr)
    ]
    assert len(selectors) >= 40
    unscoped = [
        m.group(0)
        for m in selectors
        if 'job=~"$job"' not in (m.group(2) or "") or 'instance=~"$instance"' not in m.group(2)
    ]
    assert unscoped == []


async def test_the_alerted_refusal_series_exist_at_zero_from_the_first_scrape(hub: Hub) -> None:
    families = await _scrape(hub)
    zero = {
        (family, sample.labels["reason"])
        for family in ("certhub_signature_failures", "certhub_validation_failures")
        for sample in families[family].samples
        if sample.name.endswith("_total") and sample.value == 0
    }
    assert ("certhub_signature_failures", "signature-invalid") in zero
    assert ("certhub_signature_failures", "unknown-key") in zero
    assert {reason for family, reason in zero if family == "certhub_validation_failures"} == {
        "invalid-utf8",
        "invalid-json",
        "schema-violation",
    }
    edge = {
        s.labels["reason"]: s.value
        for s in families["certhub_http_edge_refusals"].samples
        if s.name.endswith("_total")
    }
    assert edge == {"connection_cap": 0, "pending_bodies": 0, "body_timeout": 0}
