"""The KPI gauges' exposition: what a snapshot becomes on /metrics, and what it never shows."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from certhub.monitoring.kpi_metrics import KpiSnapshot, kpi_value
from certhub.monitoring.metrics import HubMetrics


def exposition(snapshot: KpiSnapshot | None) -> list[str]:
    metrics = HubMetrics(CollectorRegistry())
    if snapshot is not None:
        metrics.kpis.publish(snapshot)
    text = generate_latest(metrics.registry).decode()
    return [line for line in text.splitlines() if line.startswith("certhub_kpi")]


def test_before_the_first_computation_the_families_exist_without_samples() -> None:
    metrics = HubMetrics(CollectorRegistry())
    text = generate_latest(metrics.registry).decode()
    for family in ("certhub_kpi", "certhub_kpi_trend", "certhub_kpi_refreshed_timestamp_seconds"):
        assert f"# TYPE {family} gauge" in text
    assert exposition(None) == []


def test_money_is_yuan_a_ratio_over_nothing_is_absent_and_levels_publish_their_subset() -> None:
    snapshot = KpiSnapshot(
        refreshed_at=1_700_000_000.0,
        units={
            ("county", "445302"): {"overpaid": "714.00", "coverage": None, "people": 6},
            ("town", "445302001"): {"overpaid": "714.00", "coverage": 0.4, "people": 5},
        },
        trend={"2026-11": {"records": 0, "mianban_share": None}},
        kpis={"town": ("coverage",)},
    )
    assert exposition(snapshot) == [
        'certhub_kpi{area="445302",kpi="overpaid",level="county"} 714.0',
        'certhub_kpi{area="445302",kpi="people",level="county"} 6.0',
        'certhub_kpi{area="445302001",kpi="coverage",level="town"} 0.4',
        'certhub_kpi_trend{kpi="records",period="2026-11"} 0.0',
        "certhub_kpi_refreshed_timestamp_seconds 1.7e+09",
    ]


def test_a_withdrawn_snapshot_serves_nothing_stale() -> None:
    metrics = HubMetrics(CollectorRegistry())
    metrics.kpis.publish(KpiSnapshot(1.0, {("county", "445302"): {"people": 6}}))
    assert "certhub_kpi{" in generate_latest(metrics.registry).decode()
    metrics.kpis.withdraw()
    assert "certhub_kpi{" not in generate_latest(metrics.registry).decode()


def test_kpi_values() -> None:
    assert kpi_value(None) is None
    assert kpi_value(3) == 3.0
    assert kpi_value("0.10") == 0.1
    with pytest.raises(TypeError):
        kpi_value(["3"])
    assert kpi_value(True) is None  # a flag is no figure
