"""The e-map's service-point table on both ledgers: idempotent import, one audit link, boxes."""

from __future__ import annotations

from ledger_backends import Backend, Ledger

from certhub.hub.service_points import import_file, nearest, parse_file
from certhub.hub.service_points.registry import from_row
from certhub.hub.service_points.sample import sample_points
from certhub.hub.store.tables import LADDER


async def sample_imported(backend: Backend) -> tuple[Ledger, bytes]:
    """A new ledger with the sample points imported once (source ``a``); and the file."""
    ledger = await backend.open()
    data = sample_points()
    await import_file(ledger, parse_file(data, "a.csv"), source="a", actor="t", data=data)
    return ledger, data


async def test_an_import_stores_each_point_once_and_a_second_import_changes_nothing(
    ledger: Ledger,
) -> None:
    data = sample_points()
    first = await import_file(
        ledger, parse_file(data, "sample.csv"), source="s", actor="t", data=data
    )
    assert (first.total, first.created, first.updated, first.unchanged) == (38, 38, 0, 0)
    audit_before = await ledger.audit_entries(0, 1000)
    again = await import_file(
        ledger, parse_file(data, "sample.csv"), source="s", actor="t", data=data
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 38)
    assert await ledger.audit_entries(0, 1000) == audit_before
    imported = [entry for entry in audit_before if entry.action == "service_points_imported"]
    assert [(e.subject, e.actor) for e in imported] == [("s", "t")]


async def test_a_changed_row_replaces_the_stored_point_and_is_audited(
    ledger_factory: Backend,
) -> None:
    ledger, data = await sample_imported(ledger_factory)
    before = await ledger.service_points_version("4453")
    zhaoqing = await ledger.service_points_version("4412")
    assert before[0] == 21
    changed = data.replace("云城区社会保险服务中心".encode(), "云城区社保服务中心".encode())
    report = await import_file(
        ledger, parse_file(changed, "b.csv"), source="b", actor="t", data=changed
    )
    assert (report.created, report.updated, report.unchanged) == (0, 1, 37)
    assert (await ledger.service_points_version("4453"))[0] == 21
    assert await ledger.service_points_version("4453") != before  # Yunfu changed
    assert await ledger.service_points_version("4412") == zhaoqing  # Zhaoqing did not
    rows = await ledger.service_points_in_county("445302")
    names = {from_row(row).id: from_row(row).name for row in rows}
    assert names["yf-445302-si-01"] == "云城区社保服务中心"
    assert len(rows) == 7
    actions = [
        e.subject
        for e in await ledger.audit_entries(0, 1000)
        if e.action == "service_points_imported"
    ]
    assert actions == ["a", "b"]
    await ledger.aclose()


async def test_the_box_search_returns_active_points_inside_the_box_only(
    ledger_factory: Backend,
) -> None:
    ledger, _ = await sample_imported(ledger_factory)
    # A box around Yuncheng district: its temporarily closed Silao terminal is inside, not returned.
    rows = await ledger.service_points_in_box((22.90, 23.03, 112.00, 112.23), None)
    ids = sorted(str(row[0]) for row in rows)
    assert ids == [
        "yf-445302-bk-01", "yf-445302-bt-01", "yf-445302-si-01", "yf-445302-tc-01",
        "yf-445302-yzz-01", "yf-445302-yzz-02",
    ]  # fmt: skip
    counters = await ledger.service_points_in_box((22.90, 23.03, 112.00, 112.23), "counter")
    assert sorted(str(row[0]) for row in counters) == [
        "yf-445302-bk-01", "yf-445302-si-01", "yf-445302-tc-01",
    ]  # fmt: skip
    found = await nearest(ledger, 22.9287, 112.0441, method="finger_vein", limit=2)
    assert [near.point.id for near in found] == ["yf-445302-bk-01", "yf-445302-bt-01"]
    await ledger.aclose()


async def test_a_new_ledger_has_the_service_point_table_at_the_newest_version(
    ledger_factory: Backend,
) -> None:
    ledger = await ledger_factory.open()
    await ledger.aclose()
    reopened = await ledger_factory.open_read_only()
    assert await reopened.service_points_in_county("") == []
    assert await reopened.service_point_digests() == {}
    await reopened.aclose()
    assert any("service_points" in "".join(step.tables) for step in LADDER)
