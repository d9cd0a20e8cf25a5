"""The comparison's run summaries over HTTP and as metrics.

``GET /v1/comparison-runs/{run_id}`` returns the summary ``certhub compare
run`` wrote to ``DATA/comparison-runs/<run_id>.json`` (counts by city, kind and
outcome, the 免办 ratio, refused rows with masked samples, durations, what the
ledger did). The run id is ``<YYYY-MM>-<all|city prefix>``. A reader confined
to an area sees a run only if the run lies inside it: a city's run for a
reader of that city (or the province), the province-wide run for
province-wide readers only — the same rule as every other record.

The summaries are files, not ledger rows: the hub reads them when asked, so
a run done by a worker or a cron job shows up without a restart.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

from aiohttp import web

from certhub.hub.api.auth import require_reader
from certhub.hub.core.keys import METRICS, SETTINGS
from certhub.hub.problems import Problem
from certhub.monitoring.comparison_metrics import ComparisonRunsCollector, Summary
from certhub.security import AreaScope, parse_area

__all__ = ["RUN_ID", "latest_summaries", "register_comparison_metrics", "routes"]

routes = web.RouteTableDef()

RUN_ID: Final = re.compile(r"^(?P<period>[0-9]{4}-(?:0[1-9]|1[0-2]))-(?P<scope>all|44[0-9]{2})$")
"""``2026-11-all`` or ``2026-11-4453``: the period and the whole province or one city."""


def _runs_dir(app: web.Application) -> Path:
    return app[SETTINGS].data_dir / "comparison-runs"


@routes.get("/v1/comparison-runs/{run_id}")
async def get_comparison_run(request: web.Request) -> web.Response:
    """One comparison run's summary."""
    reader = require_reader(request)
    run_id = request.match_info["run_id"]
    found = RUN_ID.fullmatch(run_id)
    if found is None:
        raise Problem(
            "invalid-parameter",
            "a comparison run id is <YYYY-MM>-all or <YYYY-MM>-<4-digit city prefix>",
            extensions={"parameter": "run_id"},
        )
    scope = found["scope"]
    inside = reader.area is None or (scope != "all" and _city_inside(reader.area, scope))
    path = _runs_dir(request.app) / f"{run_id}.json"
    summary = await asyncio.to_thread(_read, path) if inside else None
    if summary is None:
        raise Problem("not-found", f"no comparison run {run_id!r}")
    return web.json_response(summary, headers={"Cache-Control": "no-store"})


def _city_inside(area: AreaScope, scope: str) -> bool:
    """Whether the city of prefix ``scope`` lies inside ``area``: 东莞's and 中山's codes name a
    county too (prefix 441900), the whole city all the same, so run 4419 is in area 441900."""
    try:
        city = parse_area(f"{scope}00")
    except ValueError:  # no such city, so no run of it either
        return False
    return area.contains(city)


def _read(path: Path) -> dict[str, Any] | None:
    try:
        document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return document


def latest_summaries(runs_dir: Path) -> Iterator[tuple[float, Summary]]:
    """(file time, summary) of the latest period's run of each scope (province, each city)."""
    latest: dict[str, tuple[str, Path]] = {}
    for path in runs_dir.glob("*.json") if runs_dir.is_dir() else ():
        found = RUN_ID.fullmatch(path.stem)
        if found is None:
            continue
        scope, period = found["scope"], found["period"]
        if scope not in latest or latest[scope][0] < period:
            latest[scope] = (period, path)
    for _, path in sorted(latest.values()):
        summary = _read(path)
        if summary is not None:
            yield path.stat().st_mtime, summary


def register_comparison_metrics(app: web.Application) -> None:
    """The comparison's gauges on the hub's registry, read from the summaries at each scrape."""
    runs_dir = _runs_dir(app)
    app[METRICS].registry.register(ComparisonRunsCollector(lambda: latest_summaries(runs_dir)))
