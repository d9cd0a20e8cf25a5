"""The hub's own comparison reports are not a county's monthly reporting (rule 5).

The monthly comparison files its direct evidence as ``eligibility_report/v1`` from
``adapter:comparison`` with the person's county as ``region``. "Whoever collects,
registers": the county collected nothing, so those reports must neither count it
``reported`` nor refuse its zero report as ``zero-report-conflict``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from comparisonkit import HEADER, ComparisonCase, roster_csv
from latekit import label
from procedurekit import Office


async def _compared(tmp_path: Path, aiohttp_client: Any) -> tuple[Office, str]:
    """Last month's comparison of one pensioner whose cremation civil affairs reports (a
    death task opened by the hub's own report), their county the one reporting unit; the
    office on that ledger, and the county."""
    case = ComparisonCase.one_person(tmp_path, 11)
    number, county = case.person["id_number"], case.person["region"]["county"]
    case.settings.reporting_units_path.write_text(f"code,name\n{county},某县\n", encoding="utf-8")
    folder = case.tmp / label(-1)
    folder.mkdir()
    (folder / "roster.csv").write_text(roster_csv(case.people), encoding="utf-8")
    row = f"C1,{number},某人,,,cremation,{label(-1)}-03,\n"
    (folder / "civil_affairs.csv").write_text(HEADER + row, encoding="utf-8")
    assert (await case.compare(label(-1)))["reports"] == {"task_opened": 1}
    return await case.office(aiohttp_client), county


async def test_a_comparison_report_does_not_bar_the_countys_zero_report(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    office, county = await _compared(tmp_path, aiohttp_client)
    period = label(0)  # the month the machine's report was received
    zero = office.people.zero_report(period) | {"region": {"county": county}}
    status, body = await office.post("/v1/reports", "city", zero)
    assert status == 202, body
    await office.client.close()


async def test_a_comparison_report_does_not_count_the_county_reported(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    office, _ = await _compared(tmp_path, aiohttp_client)
    status, page = await office.get("/v1/compliance", period=label(0))
    await office.client.close()
    assert status == 200, page
    assert [u["status"] for u in page["units"]] == ["missing"]
