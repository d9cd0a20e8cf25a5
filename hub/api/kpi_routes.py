"""The assessment KPIs over HTTP: a month per unit (JSON, CSV or XLSX), and the trend."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from certhub.hub.accountability.export import to_csv, to_xlsx
from certhub.hub.accountability.kpis import kpis
from certhub.hub.api.auth import require_reader
from certhub.hub.core.keys import REPORTING_UNITS, SETTINGS, STORE
from certhub.hub.problems import Problem
from certhub.hub.rules.compliance import ReportingUnit, check_period
from certhub.hub.rules.months import month_index, month_label, parse_month
from certhub.hub.store.assessment import LEVEL_DIGITS, Scope
from certhub.schemas.clock import shanghai_today
from certhub.security import Reader
from certhub.security.scopes import AreaScope, parse_area

routes = web.RouteTableDef()

TREND_MONTHS = 12


@routes.get("/v1/kpis")
async def get_kpis(request: web.Request) -> web.Response:
    """One month's KPIs per village, town, county or city inside the area (scoped reads)."""
    reader = require_reader(request)
    period = request.query.get("period", "")
    check_period(period, shanghai_today())
    level = request.query.get("level", "county")
    if level not in LEVEL_DIGITS:
        raise Problem("invalid-parameter", f"level must be one of {', '.join(LEVEL_DIGITS)}")
    area = _area(request, reader)
    rows = await _figures(request, period, Scope(level, area))
    total = await _figures(request, period, Scope(None, area))
    form = request.query.get("format", "json")
    name = f"kpis-{period}-{level}-{area.code if area else 'province'}"
    if form == "csv":
        return _download(to_csv([*rows, *total]), "text/csv; charset=utf-8", f"{name}.csv")
    if form == "xlsx":
        xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return _download(to_xlsx([*rows, *total], f"{period} {level}"), xlsx, f"{name}.xlsx")
    if form != "json":
        raise Problem("invalid-parameter", "format must be json, csv or xlsx")
    body = {
        "period": period,
        "level": level,
        "area": area.code if area else None,
        "units": rows,
        "total": total[0] if total else None,
    }
    return web.json_response(body, headers={"Cache-Control": "no-store"})


@routes.get("/v1/kpis/trend")
async def get_trend(request: web.Request) -> web.Response:
    """The area's KPIs for each of the 12 months up to ``to`` (default: this month)."""
    reader = require_reader(request)
    today = shanghai_today()
    last = request.query.get("to", month_label(month_index(today)))
    check_period(last, today)
    area = _area(request, reader)
    end = month_index(parse_month(last))
    months = []
    for index in range(end - TREND_MONTHS + 1, end + 1):
        period = month_label(index)
        total = await _figures(request, period, Scope(None, area))
        months.append({"period": period, **(total[0] if total else {})})
    body = {"area": area.code if area else None, "to": last, "months": months}
    return web.json_response(body, headers={"Cache-Control": "no-store"})


async def _figures(request: web.Request, period: str, scope: Scope) -> list[dict[str, Any]]:
    settings = request.app[SETTINGS]
    units: tuple[ReportingUnit, ...] = request.app[REPORTING_UNITS]
    return await kpis(
        request.app[STORE],
        period,
        scope,
        units=units,
        deadline_day=settings.report_deadline_day,
        now=datetime.now(UTC),
    )


def _area(request: web.Request, reader: Reader) -> AreaScope | None:
    """The asked area inside the reader's own (the reader's when none is asked)."""
    text = request.query.get("area")
    if text is None:
        return reader.area
    try:
        asked = parse_area(text)
    except ValueError:
        detail = "area must be a 6-, 9- or 12-digit region code"
        raise Problem("invalid-parameter", detail) from None
    if reader.area is not None and not reader.area.contains(asked):
        raise Problem("area-not-permitted", f"area {text} is outside the key's area")
    return asked


def _download(data: bytes, media_type: str, filename: str) -> web.Response:
    return web.Response(
        body=data,
        headers={
            "Content-Type": media_type,
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
