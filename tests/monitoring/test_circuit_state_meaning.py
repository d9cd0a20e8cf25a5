"""``certhub_adapter_circuit_state``: one meaning of its values in metric, alert, panel, docs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from prometheus_client import CollectorRegistry

from certhub.monitoring.adapter_metrics import CIRCUIT_STATES, AdapterMetrics

ROOT = Path(__file__).resolve().parents[2]
MEANING = ", ".join(f"{value} {state.replace('_', '-')}" for state, value in CIRCUIT_STATES.items())


def test_the_values_are_ordered_by_severity_and_documented() -> None:
    assert MEANING == "0 closed, 1 half-open, 2 open"
    metrics = AdapterMetrics(CollectorRegistry())
    assert MEANING in metrics.circuit_state._documentation
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert f"`certhub_adapter_circuit_state` is {MEANING}" in readme


def test_the_open_circuit_alert_fires_on_open_not_half_open() -> None:
    rules = yaml.safe_load((ROOT / "monitoring" / "alerts.yml").read_text(encoding="utf-8"))
    (expr,) = [
        rule["expr"]
        for group in rules["groups"]
        for rule in group["rules"]
        if rule.get("alert") == "CerthubAdapterCircuitOpen"
    ]
    assert re.search(rf"circuit_state\)\s*==\s*{CIRCUIT_STATES['open']}\s*$", expr), expr


def test_the_dashboard_panel_says_the_same() -> None:
    dashboard = json.loads((ROOT / "monitoring" / "dashboards" / "certhub.json").read_text())
    (panel,) = [
        panel
        for panel in dashboard["panels"]
        if any("circuit_state" in t.get("expr", "") for t in panel.get("targets", []))
    ]
    assert f"({MEANING})" in panel["title"]
