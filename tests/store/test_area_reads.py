"""The ledger's reads inside an area, on SQLite and PostgreSQL alike.

Records in villages A and B of county X, one county-level record in X, one in
county Y and one with no region; each query is asked province-wide, for X,
for the town of A and B, and for A alone.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta

from ledger_backends import Backend, Ledger
from ledgerkit import receipt, unsigned_message

from certhub.hub.store import PageQuery, RecordKind
from certhub.hub.store.area_columns import OUTCOME_VILLAGE_BACKFILL
from certhub.hub.store.base import StatRow
from certhub.hub.store.effects import Effects, TaskWrite
from certhub.hub.store.overpayment_effects import OverpaymentWrite
from certhub.hub.store.records import NewMessage
from certhub.security import parse_area

X, Y = "440103", "440204"
A, B = "440103001201", "440103001202"
TOWN = "440103001"
T0 = datetime(2024, 3, 10, 8, tzinfo=UTC)
DIGEST_A, DIGEST_X = "a" * 64, "b" * 64


def report(n: int, county: str | None, village: str | None, cites: str = "") -> NewMessage:
    payload = json.dumps({"evidence": [{"sha256": cites}] if cites else []}).encode()
    return unsigned_message(
        n,
        received_at=T0 + timedelta(seconds=n),
        county=county,
        village=village,
        period="2024-03",
        reason="death",
        payload=payload,
    )


def task(task_id: str, county: str, village: str | None) -> TaskWrite:
    return TaskWrite(task_id, f"P-{task_id}", "death", "open", county, village, b"{}", None)


async def test_pages_evidence_and_statistics_stay_inside_the_area(ledger: Ledger) -> None:
    rows = [(A, DIGEST_A), (B, ""), (None, DIGEST_X), (None, "")]
    for n, (village, cites) in enumerate(rows, start=1):
        await ledger.append(report(n, X, village, cites), receipt)
    await ledger.append(report(5, Y, None), receipt)
    await ledger.append(report(6, None, None), receipt)
    overpaid = (OverpaymentWrite("tA", "P-tA", X, "2024-03", 2, "476.00"),)
    effects = Effects(tasks=(task("tA", X, A), task("tB", X, B), task("tY", Y, None)),
                      overpayments=overpaid)  # fmt: skip
    await ledger.append(report(7, Y, None), receipt, effects)

    async def ids(area: str | None) -> list[str]:
        scope = None if area is None else parse_area(area)
        page = await ledger.page(RecordKind.REPORT, 0, 100, area=scope)
        return [record.message_id for record in page]

    assert await ids(None) == ["m1", "m2", "m3", "m4", "m5", "m6", "m7"]
    assert await ids(X) == ["m1", "m2", "m3", "m4"]
    assert await ids("440100") == ["m1", "m2", "m3", "m4"]  # 广州市
    assert await ids(TOWN) == ["m1", "m2"]
    assert await ids(A) == ["m1"]
    assert await ids(Y) == ["m5", "m7"]
    page = await ledger.page(RecordKind.REPORT, 1, 1, area=parse_area(X))
    assert [record.message_id for record in page] == ["m2"]  # cursors run inside the area
    for n, subject in [(20, "1"), (21, "2"), (22, "5"), (23, "x1")]:
        decision = {"type": "decision/v1", "subject_id": subject, "action": "accept"}
        await ledger.append(
            unsigned_message(n, kind=RecordKind.DECISION, message_type="decision/v1",
                             payload=json.dumps(decision).encode()),
            receipt,
        )  # fmt: skip

    async def decisions(area: str | None) -> list[str]:
        scope = None if area is None else parse_area(area)
        page = await ledger.page(RecordKind.DECISION, 0, 100, area=scope)
        return [record.message_id for record in page]

    assert await decisions(None) == ["m20", "m21", "m22", "m23"]
    assert await decisions(X) == ["m20", "m21"]  # the items decided are in X: A and B
    assert await decisions(A) == ["m20"]
    assert await decisions(Y) == ["m22"]

    # A file is an area's where a record of the area its uploader sent cites it.
    assert not await ledger.cites_evidence(DIGEST_A, parse_area(A))  # no upload recorded
    for digest in (DIGEST_A, DIGEST_X):
        await ledger.record_audit("evidence_stored", digest, "city", digest)
    citing = dataclasses.replace(report(30, X, B, DIGEST_A), sender="town-b", period="2024-04")
    await ledger.append(citing, receipt)  # B's staff cite A's file: not B's for that
    assert await ledger.cites_evidence(DIGEST_A, parse_area(A))
    assert await ledger.cites_evidence(DIGEST_A, parse_area(X))
    assert not await ledger.cites_evidence(DIGEST_A, parse_area(B))
    assert not await ledger.cites_evidence(DIGEST_X, parse_area(A))  # cited at county level
    assert await ledger.cites_evidence(DIGEST_X, parse_area(X))
    assert not await ledger.cites_evidence("c" * 64, parse_area(X))

    tasks = await ledger.list_tasks(PageQuery(0, 10, area=parse_area(TOWN)))
    assert sorted(t.task_id for t in tasks) == ["tA", "tB"]
    by_region = await ledger.list_tasks(PageQuery(0, 10, region=B))
    assert [t.task_id for t in by_region] == ["tB"]  # a village code names that village only

    assert await ledger.stats("2024-03", "county", area=parse_area(A)) == [
        StatRow("reports", X, 1),
        StatRow("tasks", f"{X}:open", 1),
        StatRow("overpayments", X, 1, 47600),
    ]
    assert await ledger.stats("2024-03", "county", area=parse_area(B)) == [
        StatRow("reports", X, 1),
        StatRow("tasks", f"{X}:open", 1),
    ]
    assert await ledger.stats("2024-03", "reason", area=parse_area(Y)) == [
        StatRow("reports", "death", 2),
        StatRow("tasks", "death:open", 1),
    ]
    everything = await ledger.stats("2024-03", "county")
    reports = {row for row in everything if row.section == "reports"}
    # The record without a region counts province-wide only (its key is NULL).
    assert reports == {StatRow("reports", "None", 1), StatRow("reports", X, 4),
                       StatRow("reports", Y, 2)}  # fmt: skip


async def test_outcomes_written_without_a_village_get_it_from_their_payload(
    ledger_factory: Backend,
) -> None:
    ledger = await ledger_factory.open()
    person = {"person": {"id_number": "x", "region": {"county": X, "village": A}}}
    county_only = {"person": {"id_number": "y", "region": {"county": X}}}
    for n, payload in enumerate([person, county_only], start=1):
        message = dataclasses.replace(
            unsigned_message(n, kind=RecordKind.OUTCOME, county=X),  # village left NULL
            payload=json.dumps(payload).encode(),
        )
        await ledger.append(message, receipt)
    assert await ledger.page(RecordKind.OUTCOME, 0, 10, area=parse_area(A)) == []
    await ledger.aclose()
    await ledger_factory.execute(OUTCOME_VILLAGE_BACKFILL[ledger_factory.name])  # type: ignore[index]
    ledger = await ledger_factory.open()
    inside = await ledger.page(RecordKind.OUTCOME, 0, 10, area=parse_area(A))
    assert [record.message_id for record in inside] == ["m1"]
    county = await ledger.page(RecordKind.OUTCOME, 0, 10, area=parse_area(X))
    assert [record.message_id for record in county] == ["m1", "m2"]
    await ledger.aclose()
