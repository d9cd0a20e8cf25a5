"""The assessment-KPI dashboard: a panel for every KPI, township rankings, the trend — all live.

``monitoring/dashboards/certhub-kpis.json`` is read as Grafana would: each
panel's queries, with the dashboard's variables substituted. Every KPI of
:data:`KPIS` must be queried by name, every query must parse (the real
promtool), and every metric a query names must be on a running hub's
``/metrics`` (a dashboard of metrics the hub never exposes shows nothing).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families
from prometheuskit import DASHBOARDS, panel_queries

from certhub.hub.accountability.kpi_metrics import TOWN_KPIS
from certhub.hub.accountability.kpis import KPIS
from certhub.hub.core.keys import KPI_METRICS

DASHBOARD = DASHBOARDS / "certhub-kpis.json"
Promtool = Any
VARIABLES = {"$job": "certhub", "$county": "445302"}
"""The dashboard's own variables, replaced the way Grafana would (one county chosen)."""


def model() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return loaded


def queries() -> list[tuple[str, str]]:
    """``(panel title, PromQL)`` of every panel target, variables substituted."""
    return panel_queries(DASHBOARD, VARIABLES)


def test_every_kpi_has_a_county_panel_and_the_trend_covers_them_all() -> None:
    by_county = {
        name
        for _, expr in queries()
        if 'level="county"' in expr
        for name in re.findall(r'kpi="(\w+)"', expr)
    }
    assert by_county == {k.name for k in KPIS}
    panels = {panel["title"]: panel for panel in model()["panels"]}
    for kpi in KPIS:  # each KPI's panel says what it means
        assert panels[kpi.name]["description"] == kpi.definition
    trend = [expr for _, expr in queries() if "certhub_kpi_trend" in expr and "kpi=" not in expr]
    assert trend == ['max by (kpi, period) (certhub_kpi_trend{job=~"certhub"})']
    province = [expr for _, expr in queries() if 'level="province"' in expr]
    assert province
    assert all("kpi=" not in expr for expr in province)


def test_township_rankings_rank_towns_of_the_chosen_county_both_ways() -> None:
    ranked: dict[str, set[str]] = {}
    for _, expr in queries():
        match = re.match(r"(topk|bottomk)\(10, ", expr)
        if match:
            assert 'level="town"' in expr
            assert 'area=~"445302.*"' in expr
            (kpi,) = re.findall(r'kpi="(\w+)"', expr)
            ranked.setdefault(kpi, set()).add(match.group(1))
    assert ranked == {kpi: {"topk", "bottomk"} for kpi in TOWN_KPIS}


def test_panel_ids_are_unique_and_every_panel_has_a_place() -> None:
    panels = model()["panels"]
    ids = [panel["id"] for panel in panels]
    assert len(ids) == len(set(ids))
    cells = set()
    for panel in panels:
        pos = panel["gridPos"]
        assert pos["x"] + pos["w"] <= 24
        for x in range(pos["x"], pos["x"] + pos["w"]):
            for y in range(pos["y"], pos["y"] + pos["h"]):
                assert (x, y) not in cells, f"{panel['title']!r} overlaps another panel"
                cells.add((x, y))


def test_every_query_parses(tmp_path: Path, promtool: Promtool) -> None:
    expressions = queries()
    assert len(expressions) > len(KPIS) + 2 * len(TOWN_KPIS)
    rules = [{"record": f"kpis:panel_{n}", "expr": expr} for n, (_, expr) in enumerate(expressions)]
    path = tmp_path / "kpi_rules.yml"
    path.write_text(json.dumps({"groups": [{"name": "kpis", "rules": rules}]}))
    result = promtool("check", "rules", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert [title for title, expr in expressions if "$" in expr] == []


async def test_every_metric_queried_is_on_the_hubs_metrics(running_hub: Any) -> None:
    await running_hub.app[KPI_METRICS].refresh_now()  # an empty ledger: families, few samples
    text = await running_hub.scrape()
    exposed = {family.name for family in text_string_to_metric_families(text)}
    queried = {name for _, expr in queries() for name in re.findall(r"\b(certhub_\w+)\{", expr)}
    assert queried == {
        "certhub_kpi",
        "certhub_kpi_trend",
        "certhub_kpi_refreshed_timestamp_seconds",
    }
    assert queried <= exposed
    assert "certhub_kpi_refreshed_timestamp_seconds " in text  # the refresh above published
