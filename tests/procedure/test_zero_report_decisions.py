"""Monthly reporting (rule 5) where the hub's answer needs a province decision.

Each test asserts the other answer and is a strict xfail until the province decides.
"""

from __future__ import annotations

from procedurekit import Office, month_day
from questionkit import decision_wanted

VILLAGE = {"county": "440103", "village": "440103001201"}


def _statuses(page: dict[str, object]) -> dict[str, str]:
    units = page["units"]
    assert isinstance(units, list)
    return {u["code"]: u["status"] for u in units}


@decision_wanted(
    "a county's zero report (region without a village) covers only"
    " a county unit; its villages listed as units stay 'missing'. Does a county's"
    " 'nothing to report' speak for its villages?"
)
async def test_a_countys_zero_report_covers_its_villages(office: Office) -> None:
    period = f"{month_day(-1):%Y-%m}"
    zero = office.people.zero_report(period) | {"region": {"county": "440103"}}
    status, body = await office.post("/v1/reports", "city", zero)
    assert status == 202, body
    status, page = await office.get("/v1/compliance", period=period)
    assert set(_statuses(page).values()) == {"zero_reported"}


@decision_wanted(
    "a report the town rejected still counts the unit 'reported'"
    " for its month (and bars its zero report); a village can look compliant with a"
    " report no one accepts. Should a rejected report count?"
)
async def test_a_rejected_report_does_not_count_as_reporting(office: Office) -> None:
    period = f"{month_day(0):%Y-%m}"
    report = office.people.eligibility_report() | {"region": VILLAGE}
    status, receipt = await office.post("/v1/reports", "city", report)
    assert status == 202, receipt
    status, body = await office.decide("reports", receipt["sequence"], "town-1", "reject")
    assert status == 202, body
    status, page = await office.get("/v1/compliance", period=period)
    assert _statuses(page)["440103001201"] == "missing"


@decision_wanted(
    "the reporting-units file has no 'since': a unit listed today is"
    " 'missing' and 'overdue' for every month back to 2009-01, and a unit removed from the"
    " file vanishes from past months too. Add a start (and end) month per unit?"
)
async def test_a_unit_is_not_overdue_for_months_before_it_was_listed(office: Office) -> None:
    status, page = await office.get("/v1/compliance", period="2009-01")
    assert status == 200
    assert not any(unit["overdue"] for unit in page["units"])
