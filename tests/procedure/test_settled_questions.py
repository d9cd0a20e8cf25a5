"""Questions a new user had to settle by trial (issue 13, item 17): each answer, from the hub.

Every test checks what the hub does through its HTTP API *and* that README says so,
so the two cannot part.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from procedurekit import Office

from certhub.hub.compliance.reporting_units import ReportingUnitsError, parse_reporting_units

README = " ".join((Path(__file__).resolve().parents[2] / "README.md").read_text().split())
PROBLEM = "urn:certhub:problem:"


def _says(sentence: str) -> None:
    assert " ".join(sentence.split()) in README, f"README does not say: {sentence}"


async def test_the_deadline_is_the_end_of_day_5_in_china_standard_time(office: Office) -> None:
    status, body = await office.get("/v1/compliance", period="2025-01")
    assert status == 200
    assert body["deadline"] == "2025-02-05T23:59:59.999999+08:00"
    _says("at 23:59:59.999999 +08:00 (China Standard Time)")


def test_the_reporting_units_header_line_is_optional() -> None:
    with_header = parse_reporting_units("# units\ncode,name\n440103001201,甲村\n")
    without = parse_reporting_units("440103001201,甲村\n")
    assert with_header == without
    assert [unit.code for unit in without] == ["440103001201"]
    _says("an optional header line `code,name`")


def test_a_reporting_units_error_names_the_files_own_line() -> None:
    text = "# units of Yuexiu\ncode,name\n\n440103001201,甲村\n# next\n440103001201,乙村\n"
    with pytest.raises(
        ReportingUnitsError, match=r"^units\.csv: line 6: 440103001201 listed twice$"
    ):
        parse_reporting_units(text, source="units.csv")


@given(
    skipped=st.lists(st.sampled_from(["# a comment", "", "   "]), max_size=8),
    unit_at=st.integers(min_value=0, max_value=8),
    header=st.booleans(),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_the_line_number_counts_every_line_of_the_file(
    skipped: list[str], unit_at: int, header: bool, newline: str
) -> None:
    before = [*skipped[:unit_at], "440103001201,甲村", *skipped[unit_at:]]
    lines = [*(["code,name"] if header else []), *before, "not-a-unit,x"]
    with pytest.raises(ReportingUnitsError) as raised:
        parse_reporting_units(newline.join(lines) + newline)
    assert f"line {len(lines)}:" in str(raised.value)


async def test_a_report_counts_for_the_unit_that_filed_it_not_where_the_person_lives(
    office: Office,
) -> None:
    period = datetime.now(UTC).astimezone().strftime("%Y-%m")
    person = office.people.person() | {"region": {"county": "440103", "village": "440103001203"}}
    filed_by = {"county": "440103", "village": "440103001201"}
    report = office.people.eligibility_report() | {"person": person, "region": filed_by}
    assert (await office.post("/v1/reports", "city", report))[0] == 202
    status, body = await office.get("/v1/compliance", period=period)
    assert status == 200
    assert {u["code"]: u["status"] for u in body["units"]} == {
        "440103001201": "reported",
        "440103001202": "missing",
        "440103001203": "missing",
    }
    _says("A report counts for the unit in its `region`")


async def test_town_staff_may_clear_a_suspected_death_alone(office: Office) -> None:
    report = office.people.eligibility_report() | {"reason": "death"}
    report.pop("remarks", None)
    await office.approved_report(report)
    status, page = await office.get("/v1/verification-tasks", status="open")
    (task,) = page["items"]
    status, body = await office.step(task["task_id"], "town-1", "cleared")
    assert status == 202, body
    status, cleared = await office.get(f"/v1/verification-tasks/{task['task_id']}")
    assert (cleared["status"], cleared["kind"]) == ("cleared", "death")
    status, body = await office.step(
        task["task_id"], "town-1", "confirmed", event_date=report["event_date"]
    )
    assert status in (403, 409)
    _says("Town staff may clear any task alone, a suspected death included")


async def test_a_decision_on_a_zero_report_is_item_not_found(office: Office) -> None:
    period = datetime.now(UTC).astimezone().strftime("%Y-%m")
    zero = office.people.zero_report(period) | {
        "region": {"county": "440103", "village": "440103001202"}
    }
    status, receipt = await office.post("/v1/reports", "city", zero)
    assert status == 202, receipt
    stored = await office.ledger_size()
    status, body = await office.decide("reports", receipt["sequence"], "town-1", "accept")
    assert (status, body["type"]) == (404, PROBLEM + "item-not-found")
    assert await office.ledger_size() == stored
    _says("A decision on a zero report is `item-not-found` (404)")
