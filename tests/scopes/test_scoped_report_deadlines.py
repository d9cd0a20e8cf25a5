"""The deadlines of reports under review, read by keys confined to a village, a town, a
county and a city: each sees exactly the undecided reports filed in its area, page by page.

Besides the world's approved reports (none of them under review), a death report is filed
in each of the villages A–D and left undecided; the expected answer is the province-wide
list kept to what each report's own region puts inside the reader's area.
"""

from __future__ import annotations

from scopekit import SCOPED, VILLAGES, A, B, C, D, World, inside

READERS = ["coord-a", "coord-b", "town-x1", "county-x", "city-gz"]


async def test_a_scoped_reader_sees_exactly_the_reports_under_review_of_its_area(
    world: World,
) -> None:
    office = world.office
    filed: dict[int, str] = {}
    for village in (A, B, C, D):
        region = {"county": VILLAGES[village], "village": village}
        person = office.people.person() | {"region": region}
        report = office.people.eligibility_report() | {
            "reason": "death", "person": person, "region": region,
        }  # fmt: skip
        status, receipt = await office.post("/v1/reports", "city", report)
        assert status == 202, receipt
        filed[int(receipt["sequence"])] = village
    everything = await world.items("/v1/report-deadlines", "province")
    assert [row["item_id"] for row in everything] == sorted(filed)  # only the undecided
    for reader in READERS:
        area = SCOPED[reader][1]
        got = [row["item_id"] for row in await world.items("/v1/report-deadlines", reader)]
        assert got == [item for item in sorted(filed) if inside(area, filed[item])], reader
    county = await world.items("/v1/report-deadlines", "county-x", region=C)
    assert [filed[row["item_id"]] for row in county] == [C]
    assert await world.items("/v1/report-deadlines", "coord-a", region=B) == []
