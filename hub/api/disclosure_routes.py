"""Public disclosure over HTTP, anonymous: a finished month's figures as JSON, CSV and a page.

Only finished months are published (the running month's figures still move,
and differencing two publications of one month would undo the suppression).
"""

from __future__ import annotations

import csv
import html
import io
from typing import Any

from aiohttp import web

from certhub.hub.accountability.disclosure import (
    METHODS,
    NOTE,
    ROW_FIELDS,
    disclose,
    programme,
)
from certhub.hub.accountability.kpis import month_bounds
from certhub.hub.core.keys import SETTINGS, STORE
from certhub.hub.problems import Problem
from certhub.hub.rules.compliance import check_period
from certhub.hub.rules.months import month_index
from certhub.schemas import GUANGDONG_COUNTIES
from certhub.schemas.clock import shanghai_today

routes = web.RouteTableDef()

_CSP = "default-src 'none'; style-src 'self'; base-uri 'none'; frame-ancestors 'none'"
# The CSV is flat: certified_by_method is spread into one certified:<method> column each.
_SPREAD = {"certified_by_method": tuple(f"certified:{m}" for m in METHODS)}
_COLUMNS = tuple(column for field in ROW_FIELDS for column in _SPREAD.get(field, (field,)))
_HEADINGS = {
    "name": "地区",
    "certified": "认证人数",
    "mianban_share": "免办占比",
    "suspensions": "暂停发放",
    "terminations": "终止发放",
    "restorations": "恢复发放",
    "recoveries": "追回人数",
    "recovered_amount": "追回金额（元）",
    "comparison_tasks_opened": "比对核实任务",
    "comparison_tasks_cleared": "核实为误报",
    "comparison_error_rate": "比对误报率",
}


@routes.get("/v1/public/disclosure")
async def get_disclosure(request: web.Request) -> web.Response:
    """A finished month's figures by county, city and province, small cells withheld."""
    body = await _disclosure(request)
    if request.query.get("format", "json") == "csv":
        return web.Response(
            body=_csv(body["rows"]),
            headers={
                "Content-Type": "text/csv; charset=utf-8",
                "Content-Disposition": f'attachment; filename="disclosure-{body["period"]}.csv"',
            },
        )
    if request.query.get("format", "json") != "json":
        raise Problem("invalid-parameter", "format must be json or csv")
    return web.json_response(body, headers={"Cache-Control": "public, max-age=3600"})


@routes.get("/public/disclosure")
async def disclosure_page(request: web.Request) -> web.Response:
    """The same figures as a page: the province, its cities, and each city's counties."""
    body = await _disclosure(request)
    shown = [c for c in _COLUMNS if c in _HEADINGS]
    head = "".join(f'<th scope="col">{_HEADINGS[c]}</th>' for c in shown)
    lines = "".join(
        f'<tr class="{row["level"]}">'
        + "".join(f"<td>{html.escape(_cell(row, c))}</td>" for c in shown)
        + "</tr>"
        for row in body["rows"]
    )
    sources = "".join(
        f"<li>{html.escape(p['department'])}（{p['grade']}级）：{html.escape('、'.join(p['kinds']))}</li>"
        for p in body["programme"]
    )
    document = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>城乡居保待遇资格认证信息公开 {body['period']}</title>"
        '<link rel="stylesheet" href="/rate.css"></head><body><main>'
        f"<h1>城乡居保待遇资格认证信息公开（{body['period']}）</h1>"
        f"<p>{html.escape(body['note'])}</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{lines}</tbody></table>"
        f"<h2>信息比对项目</h2><ul>{sources}</ul></main></body></html>"
    )
    return web.Response(
        text=document,
        content_type="text/html",
        headers={"Content-Security-Policy": _CSP, "Cache-Control": "public, max-age=3600"},
    )


async def _disclosure(request: web.Request) -> dict[str, Any]:
    period = request.query.get("period", "")
    today = shanghai_today()
    check_period(period, today)
    month, start, end = month_bounds(period)
    if month >= month_index(today):
        raise Problem("invalid-period", "only finished months are published")
    threshold = request.app[SETTINGS].disclosure_threshold
    counts = await request.app[STORE].disclosure_counts(month, period, start, end)
    known = {key: value for key, value in counts.items() if key[0] in GUANGDONG_COUNTIES}
    return {
        "period": period,
        "threshold": threshold,
        "note": NOTE.format(threshold=threshold),
        "programme": programme(),
        "rows": disclose(known, GUANGDONG_COUNTIES, threshold),
    }


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    methods = {f"certified:{m}": v for m, v in row["certified_by_method"].items()}
    return {k: v for k, v in row.items() if k != "certified_by_method"} | methods


def _cell(row: dict[str, Any], column: str) -> str:
    value = _flat(row)[column]
    return "—" if value is None else str(value)


def _csv(rows: list[dict[str, Any]]) -> bytes:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in _flat(row).items()})
    return "\ufeff".encode() + text.getvalue().encode("utf-8")
