"""Every assessment KPI against a synthetic month whose truth is written out by hand.

Three villages of one town (甲 201, 乙 202, 丙 203 of 440103001) in the month
this test runs, built through the HTTP API as the province would:

* 甲: A certified by face two months ago (covered; face model enrolled; rates
  that service 2), B certified fourteen months ago (overdue by 2 months);
  甲 files a zero report in time.
* 乙: C never certified (a withdrawn fingerprint model), D certified this
  month by data comparison (免办; rates it 5), E reported dead by 乙 this
  month: the task opened ten days ago and was confirmed today; three months
  overpaid (714.00), 238.00 recovered; E is no longer counted among the people
  (the hub terminated the benefit, whatever the roster still says).
* 丙: nothing at all (missing its report).

The expected figures below are counted from that list, not computed by the code.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import openpyxl
from procedurekit import Office

from certhub.hub.cli.demo_month_messages import certification, months_ago, noon
from certhub.hub.core.keys import PROCEDURE
from certhub.schemas.clock import CHINA_STANDARD_TIME


def _today() -> date:
    return datetime.now(CHINA_STANDARD_TIME).date()


def _period() -> str:
    return _today().strftime("%Y-%m")


COUNTY, TOWN = "440103", "440103001"
V1, V2, V3 = "440103001201", "440103001202", "440103001203"


def person_in(office: Office, village: str) -> dict[str, Any]:
    return office.people.person() | {"region": {"county": COUNTY, "village": village}}


async def accepted(office: Office, path: str, party: str, payload: dict[str, Any]) -> int:
    status, receipt = await office.post(path, party, payload)
    assert status == 202, receipt
    return int(receipt["sequence"])


async def build_month(office: Office) -> None:
    a, b = person_in(office, V1), person_in(office, V1)
    c, d, e = person_in(office, V2), person_in(office, V2), person_in(office, V2)
    for person in (a, b, c, d, e):
        await office.roster(person, paid_through=_period())
    cert_a = await accepted(
        office, "/v1/certifications", "channel", certification(a, noon(months_ago(2)))
    )
    await accepted(office, "/v1/certifications", "channel", certification(b, noon(months_ago(14))))
    moment = datetime.now(UTC)
    now = moment.isoformat()
    cert_d = await accepted(
        office, "/v1/certifications", "channel", certification(d, moment, "data_comparison")
    )
    for person, modality, status in ((a, "face", "enrolled"), (c, "fingerprint", "withdrawn")):
        enrolment: dict[str, Any] = {
            "type": "biometric_enrolment/v1",
            "person": person,
            "modality": modality,
            "status": status,
            "occurred_at": now,
            "channel": {"kind": "app_gdrs"},
        }
        if status == "enrolled":
            enrolment["consent"] = {"given_at": now, "method": "in_app"}
        await accepted(office, "/v1/biometric-enrolments", "channel", enrolment)
    zero = office.people.zero_report(_period()) | {"region": {"county": COUNTY, "village": V1}}
    zero["reporter"] = office.people.reporter(zero["region"])
    await accepted(office, "/v1/reports", "city", zero)

    # E: reported dead three months ago; the task opened ten days ago, confirmed today
    died = months_ago(3)
    context = office.client.app[PROCEDURE]
    ten_days_ago = datetime.now(UTC) - timedelta(days=10)
    object.__setattr__(context, "clock", lambda: ten_days_ago)
    task = await office.reported_death(e, died, reporter=office.people.reporter(e["region"]))
    object.__setattr__(context, "clock", lambda: datetime.now(UTC))
    status, body = await office.step(
        task["task_id"], "county-1", "confirmed", event_date=died.isoformat()
    )
    assert status == 202, body
    recovery = {
        "type": "recovery/v1",
        "task_id": task["task_id"],
        "amount": "238.00",
        "source": "bank_reversal",
        "recovered_on": _today().isoformat(),
        "actor": {"id": "det-1", "role": "benefit_determiner"},
        "at": now,
    }
    await accepted(office, f"/v1/overpayments/{task['task_id']}/recoveries", "det-1", recovery)

    for record, score in ((cert_a, 2), (cert_d, 5)):
        rating = {
            "type": "service_rating/v1",
            "service_record": record,
            "score": score,
            "rater": "pensioner",
            "rated_at": datetime.now(UTC).isoformat(),
        }
        await accepted(office, "/v1/service-ratings", "channel", rating)


EMPTY: dict[str, Any] = {
    "people": 0, "covered": 0, "coverage": None, "never_certified": 0, "overdue": 0,
    "overdue_avg_months": None, "records": 0, "records_by_comparison": 0, "mianban_share": None,
    "reporting_units": 0, "reported_in_time": 0, "zero_reported_late": 0,
    "report_compliance": None, "tasks_resolved": 0, "task_days_median": None,
    "task_days_p90": None, "tasks_overdue": 0, "overpayments": 0, "overpaid": "0.00",
    "recovered": "0.00", "written_off": "0.00", "recovery_rate": None, "biometric_enrolled": 0,
    "biometric_coverage": None, "ratings": 0, "rating_avg": None, "bad_ratings": 0,
    "follow_ups_late": 0,
}  # fmt: skip
VILLAGES: dict[str, dict[str, Any]] = {
    COUNTY: EMPTY | {"overpayments": 1, "overpaid": "714.00", "recovered": "238.00",
                     "recovery_rate": 0.3333},
    V1: EMPTY | {"people": 2, "covered": 1, "coverage": 0.5, "overdue": 1,
                 "overdue_avg_months": 2.0, "reporting_units": 1, "reported_in_time": 1,
                 "report_compliance": 1.0, "biometric_enrolled": 1, "biometric_coverage": 0.5,
                 "ratings": 1, "rating_avg": 2.0, "bad_ratings": 1},
    V2: EMPTY | {"people": 2, "covered": 1, "coverage": 0.5, "never_certified": 1,
                 "records": 1, "records_by_comparison": 1, "mianban_share": 1.0,
                 "reporting_units": 1, "reported_in_time": 1, "report_compliance": 1.0,
                 "tasks_resolved": 1, "task_days_median": 10.0, "task_days_p90": 10.0,
                 "biometric_coverage": 0.0, "ratings": 1, "rating_avg": 5.0},
    V3: EMPTY | {"reporting_units": 1, "report_compliance": 0.0},
}  # fmt: skip
TOTAL: dict[str, Any] = EMPTY | {
    "people": 4, "covered": 2, "coverage": 0.5, "never_certified": 1, "overdue": 1,
    "overdue_avg_months": 2.0, "records": 1, "records_by_comparison": 1, "mianban_share": 1.0,
    "reporting_units": 3, "reported_in_time": 2, "report_compliance": 0.6667,
    "tasks_resolved": 1, "task_days_median": 10.0, "task_days_p90": 10.0, "overpayments": 1,
    "overpaid": "714.00", "recovered": "238.00", "recovery_rate": 0.3333,
    "biometric_enrolled": 1, "biometric_coverage": 0.25, "ratings": 2, "rating_avg": 3.5,
    "bad_ratings": 1,
}  # fmt: skip


async def test_every_kpi_of_a_known_month_by_village_town_and_in_total(office: Office) -> None:
    await build_month(office)
    status, body = await office.get("/v1/kpis", period=_period(), level="village", area=COUNTY)
    assert status == 200, body
    got = {row.pop("unit"): row for row in body["units"]}
    for unit, expected in VILLAGES.items():
        differs = {k: (got[unit][k], v) for k, v in expected.items() if got[unit][k] != v}
        assert not differs, (unit, differs)
    assert got == VILLAGES
    total = body["total"]
    assert total.pop("unit") == "all"
    assert total == TOTAL

    status, town = await office.get("/v1/kpis", period=_period(), level="town", area=COUNTY)
    assert status == 200
    units = {row["unit"]: row for row in town["units"]}
    assert set(units) == {COUNTY, TOWN}  # the overpayment is known to its county only
    assert units[TOWN]["people"] == 4
    assert units[TOWN]["reported_in_time"] == 2
    assert units[TOWN]["rating_avg"] == 3.5

    # a village key sees its village and nothing else, whatever it asks
    from certhub.security import issue_read_token

    token = issue_read_token(office.keys["province"], sender="province", area=V1)
    response = await office.client.get(
        "/v1/kpis",
        params={"period": _period(), "level": "village"},
        headers={"Authorization": f"Bearer {token}"},
    )
    scoped = await response.json()
    assert [row["unit"] for row in scoped["units"]] == [V1]
    response = await office.client.get(
        "/v1/kpis",
        params={"period": _period(), "area": COUNTY},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status == 403


async def test_the_exports_hold_the_same_figures(office: Office) -> None:
    await build_month(office)
    token_get = office.get
    _, body = await token_get("/v1/kpis", period=_period(), level="village", area=COUNTY)
    from certhub.security import issue_read_token

    token = issue_read_token(office.keys["province"], sender="province")
    auth = {"Authorization": f"Bearer {token}"}
    params = {"period": _period(), "level": "village", "area": COUNTY}
    response = await office.client.get("/v1/kpis", params=params | {"format": "csv"}, headers=auth)
    assert response.status == 200
    assert 'filename="kpis-' in response.headers["Content-Disposition"]
    raw = await response.read()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["unit"] for r in rows] == [*(u["unit"] for u in body["units"]), "all"]
    assert rows[-1]["coverage"] == "0.5"
    assert rows[-1]["overpaid"] == "714.00"

    response = await office.client.get("/v1/kpis", params=params | {"format": "xlsx"}, headers=auth)
    assert response.status == 200
    sheet = openpyxl.load_workbook(io.BytesIO(await response.read())).active
    assert sheet is not None
    table = list(sheet.iter_rows(values_only=True))
    header = table[0]
    by_unit = {row[0]: dict(zip(header, row, strict=True)) for row in table[1:]}
    assert by_unit["all"]["people"] == 4
    assert by_unit["all"]["recovery_rate"] == 0.3333
    assert by_unit[V2]["task_days_median"] == 10.0
    assert by_unit[V3]["coverage"] is None


async def test_the_trend_has_twelve_months_and_bad_requests_are_refused(office: Office) -> None:
    await build_month(office)
    status, trend = await office.get("/v1/kpis/trend", area=COUNTY)
    assert status == 200
    months = trend["months"]
    assert len(months) == 12
    assert months[-1]["period"] == _period()
    assert months[-1]["people"] == 4
    two_back = next(m for m in months if m["period"] == months_ago(2).strftime("%Y-%m"))
    assert two_back["covered"] == 2  # A (that month) and B (twelve months before it)
    for params in (
        {"period": "2026-13"},
        {"period": _period(), "level": "province"},
        {"period": _period(), "area": "12"},
        {"period": _period(), "format": "pdf"},
        {"period": "2999-01"},
    ):
        status, problem = await office.get("/v1/kpis", **params)
        assert status == 400, (params, problem)


def test_the_readme_defines_every_kpi_as_the_code_does() -> None:
    from pathlib import Path

    from certhub.hub.accountability.kpis import KPIS

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    for kpi in KPIS:
        assert f"| `{kpi.name}` | {kpi.definition} |" in readme, kpi.name
