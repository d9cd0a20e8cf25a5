"""Metric names, help texts, bounded labels, and the hub wiring them from real traffic."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from certhub.hub.core.keys import METRICS
from certhub.mocks.population import Population
from certhub.monitoring.collectors import KeyExpiryCollector, latest_expiry
from certhub.monitoring.labels import certification_labels, city_label, report_labels
from certhub.monitoring.metrics import HubMetrics
from certhub.security import create_sender_key, read_private_key, sign_compact, trust_add

ISSUE_7_METRICS = {
    "certhub_build_info": "gauge",
    "certhub_messages_received_total": "counter",
    "certhub_signature_failures_total": "counter",
    "certhub_validation_failures_total": "counter",
    "certhub_replay_rejections_total": "counter",
    "certhub_http_request_duration_seconds": "histogram",
    "certhub_ledger_write_duration_seconds": "histogram",
    "certhub_outbox_backlog_messages": "gauge",
    "certhub_outbox_oldest_age_seconds": "gauge",
    "certhub_deliveries_total": "counter",
    "certhub_dlq_messages": "gauge",
    "certhub_certifications_total": "counter",
    "certhub_reports_total": "counter",
    "certhub_zero_reports_total": "counter",
    "certhub_report_missing_regions": "gauge",
    "certhub_report_deadline_timestamp_seconds": "gauge",
    "certhub_verification_tasks": "gauge",
    "certhub_trust_key_not_after_timestamp_seconds": "gauge",
}


def test_every_issue_7_metric_is_defined_with_help_and_convention() -> None:
    registry = CollectorRegistry()
    HubMetrics(registry, version="1.2.3", commit="abc1234")
    registry.register(KeyExpiryCollector(list))
    text = generate_latest(registry).decode()
    for name, kind in ISSUE_7_METRICS.items():
        assert f"# TYPE {name} {kind}" in text, name
        help_line = next(line for line in text.splitlines() if line.startswith(f"# HELP {name} "))
        assert len(help_line) > len(f"# HELP {name} ") + 15, f"{name} needs a real help text"
    for line in text.splitlines():
        if line.startswith("# HELP "):
            assert line.split()[2].startswith("certhub_"), line
    assert 'certhub_build_info{commit="abc1234",version="1.2.3"} 1.0' in text
    assert "certhub_replay_rejections_total 0.0" in text  # alertable from the first scrape


@pytest.mark.parametrize(
    ("reason", "security", "counted_in"),
    [
        ("signature-invalid", True, "certhub_signature_failures_total"),
        ("unknown-key", True, "certhub_signature_failures_total"),
        ("schema-violation", False, "certhub_validation_failures_total"),
        ("invalid-json", False, "certhub_validation_failures_total"),
        ("replay", False, "certhub_replay_rejections_total"),
    ],
)
def test_a_rejection_is_counted_under_its_kind(
    reason: str, security: bool, counted_in: str
) -> None:
    registry = CollectorRegistry()
    HubMetrics(registry).count_rejection(reason, security=security)
    value = registry.get_sample_value
    labels = {} if counted_in == "certhub_replay_rejections_total" else {"reason": reason}
    assert value(counted_in, labels) == 1
    assert value("certhub_ingress_rejections_total", {"reason": reason}) == 1
    others = {
        "certhub_signature_failures_total",
        "certhub_validation_failures_total",
    } - {counted_in}
    assert all(value(name, {"reason": reason}) is None for name in others)


def test_domain_labels_come_only_from_enums_and_city_codes() -> None:
    report = {"reason": "death", "person": {"region": {"county": "445302"}}}
    assert report_labels(json.dumps(report).encode()) == ("death", "445300")
    zero = {"region": {"county": "440103"}, "period": "2026-01"}
    assert report_labels(json.dumps(zero).encode())[1] == "440100"
    hostile = {"reason": "440102195001011234", "person": {"region": {"county": "999999"}}}
    assert report_labels(json.dumps(hostile).encode()) == ("other", "unknown")
    assert report_labels(b"not json") == ("other", "unknown")
    event = {"method": "face", "channel": {"kind": "yuezhizhu_kiosk"}, "outcome": "certified"}
    assert certification_labels(json.dumps(event).encode()) == (
        "face",
        "yuezhizhu_kiosk",
        "certified",
    )
    assert certification_labels(b"[1]") == ("other", "other", "other")
    assert city_label(None) == "unknown"


def test_key_expiry_keeps_the_latest_key_and_skips_senders_that_never_expire() -> None:
    soon, later = datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    keys = [("a", soon), ("a", later), ("b", soon), ("b", None), ("c", soon)]
    assert latest_expiry(keys) == {"a": later, "c": soon}


def test_a_failing_state_source_never_fails_the_scrape(caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> list[tuple[str, datetime | None]]:
        raise RuntimeError("hub stopping")

    registry = CollectorRegistry()
    registry.register(KeyExpiryCollector(broken))
    assert b"certhub_trust_key_not_after_timestamp_seconds" in generate_latest(registry)
    assert "not available" in caplog.text


async def test_the_hub_counts_reports_and_certifications_by_bounded_labels(
    running_hub: Any,
) -> None:
    kiosk = "gd-kiosks"
    parties = running_hub.settings.data_dir / "parties"
    _, public = create_sender_key(kiosk, parties)
    trust_add(
        running_hub.settings.trust_store_path,
        public,
        sender=kiosk,
        may_send=["certification_event/v1"],
        may_read=False,
    )
    pushed = await running_hub.traffic(reports=10)
    population = Population(seed=7)
    event = {
        "type": "certification_event/v1",
        "person": population.person(),
        "method": "face",
        "channel": {"kind": "yuezhizhu_kiosk", "code": "YZZ-0001"},
        "outcome": "certified",
        "occurred_at": (datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
    }
    token = sign_compact(
        json.dumps(event, ensure_ascii=False).encode(),
        key=read_private_key(parties / f"{kiosk}.key.pem"),
        typ="certification_event/v1",
        sender=kiosk,
        jti="kiosk-1",
    )
    url = f"{running_hub.base_url}/v1/certifications"

    async def push() -> int:
        headers = {"Content-Type": "application/jose"}
        async with running_hub.session.post(url, data=token, headers=headers) as response:
            return int(response.status)

    deadline = time.monotonic() + 10
    while await push() != 202:  # until the hub reloads its trust store with the kiosk key
        assert time.monotonic() < deadline, "kiosk key never trusted"
        await asyncio.sleep(0.05)  # polling interval
    assert await push() == 202  # a re-send is a duplicate: counted once below
    totals = _totals(await running_hub.scrape())
    assert totals["certhub_reports_total"] == pushed.accepted - 1  # all but the zero report
    assert totals["certhub_zero_reports_total"] == 1
    assert totals["certhub_replay_rejections_total"] == 1
    value = running_hub.app[METRICS].registry.get_sample_value
    assert value("certhub_signature_failures_total", {"reason": "signature-invalid"}) == 1
    assert value("certhub_validation_failures_total", {"reason": "schema-violation"}) == 1
    labels = {"method": "face", "channel": "yuezhizhu_kiosk", "outcome": "certified"}
    assert value("certhub_certifications_total", labels) == 1
    received = {"type": "certification_event/v1", "sender": kiosk, "outcome": "duplicate"}
    assert value("certhub_messages_received_total", received) == 1


def _totals(text: str) -> dict[str, float]:
    """Sum of every sample per sample name."""
    totals: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            totals[sample.name] = totals.get(sample.name, 0.0) + sample.value
    return totals
