"""Alert rules, their unit tests, the dashboard and a live scrape, checked by the real promtool."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from certhub.schemas import mask_ids_in_text

MONITORING = Path(__file__).resolve().parents[2] / "monitoring"
DASHBOARD = MONITORING / "dashboards" / "certhub.json"
Promtool = Any  # the ``promtool`` fixture: (*args, cwd=None, stdin=None) -> CompletedProcess
# Grafana's built-in interval variables and the dashboard's own job/instance choice,
# replaced the way Grafana would before querying (every instance of the alert rules' job).
GRAFANA_VARIABLES = {
    "$__rate_interval": "1m",
    "$__interval": "30s",
    "$__range": "1h",
    "$job": "certhub",
    "$instance": ".*",
}


def test_alert_rules_pass_promtool_check(promtool: Promtool) -> None:
    result = promtool("check", "rules", str(MONITORING / "alerts.yml"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_alert_rule_unit_tests_pass(promtool: Promtool) -> None:
    result = promtool("test", "rules", "alerts_test.yml", cwd=MONITORING)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_has_a_unit_test() -> None:
    alerts = set(re.findall(r"^\s*- alert: (\w+)", (MONITORING / "alerts.yml").read_text(), re.M))
    tested = set(re.findall(r"alertname: (\w+)", (MONITORING / "alerts_test.yml").read_text()))
    assert len(alerts) >= 9
    assert alerts <= tested, f"alerts without a promtool test: {sorted(alerts - tested)}"


def test_a_malformed_alerts_file_fails_with_promtools_message(
    tmp_path: Path, promtool: Promtool
) -> None:
    broken = tmp_path / "alerts.yml"
    text = (MONITORING / "alerts.yml").read_text()
    broken.write_text(
        text.replace("max(certhub_dlq_messages) > 0", "max(certhub_dlq_messages >", 1)
    )
    result = promtool("check", "rules", str(broken))
    assert result.returncode != 0
    assert "FAILED" in result.stdout + result.stderr
    assert "parse error" in result.stdout + result.stderr


def test_a_wrong_expectation_fails_the_rule_unit_tests(tmp_path: Path, promtool: Promtool) -> None:
    shutil.copy(MONITORING / "alerts.yml", tmp_path / "alerts.yml")
    tests = (MONITORING / "alerts_test.yml").read_text()
    (tmp_path / "alerts_test.yml").write_text(tests.replace("hub-1:8080 is down", "hub-9 is down"))
    result = promtool("test", "rules", "alerts_test.yml", cwd=tmp_path)
    assert result.returncode != 0
    assert "CerthubDown" in result.stdout + result.stderr


def dashboard_expressions() -> list[tuple[str, str]]:
    """``(panel title, PromQL)`` of every panel target and annotation in the dashboard."""
    model: dict[str, Any] = json.loads(DASHBOARD.read_text())
    found = [
        (panel["title"], target["expr"])
        for panel in model["panels"]
        for target in panel.get("targets", [])
    ]
    found += [(a["name"], a["expr"]) for a in model["annotations"]["list"] if "expr" in a]
    return found


def grafana_to_promql(expr: str) -> str:
    """Substitute Grafana's interval variables; anything else left is a dashboard bug."""
    for variable, value in GRAFANA_VARIABLES.items():
        expr = expr.replace(variable, value)
    return expr


def test_every_dashboard_expression_parses(tmp_path: Path, promtool: Promtool) -> None:
    expressions = dashboard_expressions()
    assert len(expressions) >= 30
    # promtool parses each expression as a recording rule: a PromQL error fails with its message
    rules = [
        {"record": f"dashboard:panel_{n}", "expr": grafana_to_promql(expr)}
        for n, (_, expr) in enumerate(expressions)
    ]
    path = tmp_path / "dashboard_rules.yml"
    path.write_text(json.dumps({"groups": [{"name": "dashboard", "rules": rules}]}))
    result = promtool("check", "rules", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    for title, expr in expressions:
        assert "$" not in grafana_to_promql(expr), f"panel {title!r} uses an unknown variable"


def test_dashboard_covers_every_metric_ops_needs() -> None:
    text = " ".join(expr for _, expr in dashboard_expressions())
    needed = [
        "certhub_messages_received_total",
        "certhub_signature_failures_total",
        "certhub_validation_failures_total",
        "certhub_replay_rejections_total",
        "certhub_http_request_duration_seconds_bucket",
        "certhub_ledger_write_duration_seconds_bucket",
        "certhub_outbox_backlog_messages",
        "certhub_outbox_oldest_age_seconds",
        "certhub_deliveries_total",
        "certhub_dlq_messages",
        "certhub_adapter_circuit_state",
        "certhub_adapter_requests_total",
        "certhub_certifications_total",
        "certhub_reports_total",
        "certhub_report_missing_regions",
        "certhub_verification_tasks",
        "certhub_trust_key_not_after_timestamp_seconds",
        "certhub_signature_helper_up",
        "certhub_build_info",
        "certhub_http_edge_refusals_total",
        "certhub_http_client_disconnects_total",
        "certhub_log_records_suppressed_total",
        "certhub_evidence_refused_total",
        'up{job=~"$job"',
        "process_cpu_seconds_total",
        "process_resident_memory_bytes",
    ]
    assert [name for name in needed if name not in text] == []
    ids = [panel["id"] for panel in json.loads(DASHBOARD.read_text())["panels"]]
    assert len(ids) == len(set(ids))


async def test_live_scrape_after_traffic_passes_promtool_check_metrics(
    running_hub: Any, promtool: Promtool
) -> None:
    summary = await running_hub.traffic()
    assert summary.accepted > 0
    assert summary.rejected == 3
    text = await running_hub.scrape()
    assert 'certhub_reports_total{city="' in text
    result = promtool("check", "metrics", stdin=text)
    assert result.returncode == 0, result.stdout + result.stderr


async def test_no_label_value_is_personal_or_unbounded(running_hub: Any) -> None:
    summary = await running_hub.traffic(reports=40)
    text = await running_hub.scrape()
    message_ids = set(summary.receipts)
    assert len(message_ids) > 40
    values_by_label: dict[str, set[str]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            for name, value in sample.labels.items():
                values_by_label.setdefault(name, set()).add(value)
                assert mask_ids_in_text(value) == value, f"{sample.name}: ID number in {name}"
                assert value not in message_ids, f"{sample.name}: message id in label {name}"
                if (sample.name, name) == ("certhub_build_info", "commit"):
                    continue  # the source commit: a digest, but one value per deployment
                assert not re.fullmatch(r"[0-9a-f]{16,}|[0-9a-f-]{36}", value), (
                    f"{sample.name}: {name}={value!r} looks like an id or digest"
                )
    assert "city" in values_by_label  # the traffic really produced domain labels
    for name, values in values_by_label.items():
        if name != "le":
            assert len(values) <= 30, f"label {name} has {len(values)} values: unbounded?"
    assert values_by_label["sender"] <= {"yunfu-platform", "unverified"}
