"""A Zhaoqing town file for last month, sent by the deadline, makes its villages compliant.

The town sends its monthly file once the month is over (README: each town sends,
once a month, one CSV listing every report of the month and a zero-report row for
each village with nothing to report). The village with a report must count as
``reported`` for the file's month, as the village with the zero-report row counts
as ``zero_reported``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hubkit import Hub
from inboundkit import Departments
from latekit import label
from questionkit import decision_wanted

from certhub.mocks.city_platforms import ZhaoqingPlatform

TOWN = "441202101"
UNITS = f"code,name\n{TOWN}200,甲村\n{TOWN}201,乙村\n"


async def _upload(hub: Hub, zq: ZhaoqingPlatform, period: str, rows: list[list[str]]) -> Any:
    """The town file of ``rows`` for ``period``, signed and uploaded: the 200 answer."""
    data = zq.monthly_csv(rows)
    response = await hub.client.post(
        "/v1/inbound/zhaoqing/uploads",
        data=data,
        headers={"Content-Type": "text/csv", "X-Zhaoqing-Signature": zq.signature(data)},
        params={"town": TOWN, "period": period},
    )
    answer = await response.json()
    assert response.status == 200, answer
    return answer


@decision_wanted(
    "README says reports count for the month received, so a"
    " Zhaoqing town file for last month (rows dated in it, sent by the deadline) counts"
    " its zero rows for last month but its reports for this month: every village with a"
    " report is 'missing' (then 'overdue') for the month the file is about, every month."
    " Count an adapter file's reports for its declared period, or a report received by"
    " the deadline for the month of its event?"
)
async def test_last_months_file_counts_its_report_for_last_month(
    inbound_hub_factory: Any, departments: Departments, tmp_path: Path
) -> None:
    units = tmp_path / "units.csv"
    units.write_text(UNITS, encoding="utf-8")
    hub: Hub = await inbound_hub_factory(reporting_units=units)
    period = label(-1)
    zq = departments.zhaoqing
    rows = [*zq.rows(TOWN, period, 1), zq.zero_row(TOWN, 2)]  # a death in 200; 201: nothing
    answer = await _upload(hub, zq, period, rows)
    assert answer["accepted"] == 2, answer
    response = await hub.client.get(
        "/v1/compliance", params={"period": period}, headers=hub.bearer()
    )
    page = await response.json()
    assert response.status == 200, page
    assert {u["code"]: u["status"] for u in page["units"]} == {
        f"{TOWN}200": "reported",
        f"{TOWN}201": "zero_reported",
    }


async def test_a_zero_row_beside_a_report_of_the_same_village_is_rejected(
    hub: Hub, departments: Departments
) -> None:
    # Last month's file: its report is recorded for this month, so the hub's
    # zero-report-conflict (same month) never sees the contradiction.
    period = label(-1)
    zq = departments.zhaoqing
    (report,) = zq.rows(TOWN, period, 1)  # village 200
    rows = [report, zq.zero_row(TOWN, 2, "200")]
    answer = await _upload(hub, zq, period, rows)
    assert (answer["accepted"], answer["rejected"]) == (1, 1), answer
    zero = answer["rows"][1]
    assert (zero["status"], zero["reason"]) == (
        "rejected",
        f"a 零报告 for a village reported in row {answer['rows'][0]['row']}",
    )
    assert await hub.stored() == 1
