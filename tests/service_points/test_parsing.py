"""Service-point files: CSV (UTF-8 or GBK; English or Chinese columns), GeoJSON, row errors."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certhub.hub.service_points import FileRefused, parse_file
from certhub.hub.service_points.geojson import feature_collection
from certhub.hub.service_points.hours import InvalidHours, format_hours, parse_hours

HEADER = "id,kind,name,address,county,lat,lon,methods,hours"
GOOD = 'p1,si_terminal,测试终端,云浮市云城区,445302,22.93,112.04,face|counter,"Mo-Fr 08:30-17:30"'


def test_a_gbk_file_with_chinese_columns_and_labels_reads_like_the_english_one() -> None:
    text = (
        "编号,类型,名称,地址,区县代码,纬度,经度,认证方式,开放时间,无障碍设施,状态\n"
        "yf-1,粤智助政府服务自助机,粤智助（腰古镇）,云浮市云城区腰古镇,445302,23.0187,112.1296,"
        "人脸识别、柜面认证,24/7,无障碍通道；大字适老界面,临时关闭\n"
    )
    parsed = parse_file(text.encode("gbk"), "点位.csv")
    assert parsed.errors == []
    ((line, point),) = parsed.points
    assert line == 2
    assert (point.kind, point.methods, point.hours) == (
        "yuezhizhu_kiosk",
        ("counter", "face"),
        "24/7",
    )
    assert point.accessibility == ("large_text", "step_free")
    assert point.status == "temporarily_closed"
    assert parse_file(b"\xef\xbb\xbf" + text.encode(), "p.csv").points[0][1] == point


def test_each_bad_row_is_reported_with_its_line_and_the_good_rows_are_kept() -> None:
    rows = [
        HEADER,
        GOOD,
        GOOD.replace("p1,", "p2,").replace("445302", "445399"),  # unknown county
        GOOD.replace("p1,", "p3,").replace("22.93", "nan"),
        GOOD.replace("p1,", "p4,").replace("22.93,112.04", "112.04,22.93"),  # swapped
        GOOD.replace("p1,", "p5,").replace("22.93,112.04", "39.91,116.40"),  # Beijing
        GOOD.replace("p1,", "p6,").replace("face|counter", "data_comparison"),
        GOOD.replace("p1,", "p7,").replace("Mo-Fr 08:30-17:30", "Mo-Fr 17:30-08:30"),
        GOOD,  # the same id again
        "p9,si_terminal,缺一列",
        GOOD.replace("p1,", "p 10,"),
        "",
        GOOD.replace("p1,", "p11,").replace("测试终端", "坏\x07名字"),
    ]
    parsed = parse_file("\n".join(rows).encode(), "x.csv")
    assert [point.id for _, point in parsed.points] == ["p1"]
    found = {error.position: (error.point_id, error.reason) for error in parsed.errors}
    assert sorted(found) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 13]
    assert found[3][0] == "p2"
    assert "county" in found[3][1]
    assert "lat" in found[4][1]
    assert "lat" in found[5][1]
    assert "outside Guangdong" in found[6][1]
    assert "data_comparison" in found[7][1]
    assert "hours" in found[8][1]
    assert found[9] == ("p1", "id repeats row 2")
    assert found[10] == ("p9", "3 cells where the header has 9")
    assert "id" in found[11][1]
    assert "control characters" in found[13][1]


@pytest.mark.parametrize(
    ("data", "name", "why"),
    [
        (b"", "a.csv", "empty"),
        (b"id,kind\n", "a.csv", "missing columns"),
        ((HEADER + ",colour\n").encode(), "a.csv", "unknown columns: colour"),
        ((HEADER + ",name\n").encode(), "a.csv", "repeated columns: name"),
        (b"\xff\xfe\x00\x81", "a.csv", "neither UTF-8 nor GBK"),
        (b"{}", "a.geojson", "not a GeoJSON FeatureCollection"),
        (b"[1,", "a.geojson", "not JSON"),
        (b'{"type": "FeatureCollection"}', "a.json", "no features array"),
        (b"whatever", "a.xlsx", "expected a .csv"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(data: bytes, name: str, why: str) -> None:
    with pytest.raises(FileRefused, match=why):
        parse_file(data, name)


def test_an_exported_collection_reads_back_to_the_same_points() -> None:
    parsed = parse_file(("\n".join([HEADER, GOOD, GOOD.replace("p1,", "p2,")])).encode(), "a.csv")
    points = [point for _, point in parsed.points]
    exported = json.dumps(feature_collection(points), ensure_ascii=False).encode()
    again = parse_file(exported, "export.geojson")
    assert again.errors == []
    assert [point for _, point in again.points] == points
    assert [p.digest() for _, p in again.points] == [p.digest() for p in points]


def test_geojson_features_that_are_not_points_are_row_errors() -> None:
    good = feature_collection([parse_file(f"{HEADER}\n{GOOD}".encode(), "a.csv").points[0][1]])
    feature = good["features"][0]
    features = [
        feature,
        {
            **feature,
            "id": "q1",
            "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]},
        },
        {**feature, "id": "q2", "geometry": {"type": "Point", "coordinates": [112.0]}},
        {**feature, "id": "q3", "properties": {**feature["properties"], "colour": "red"}},
        {**feature, "id": "q4", "properties": None},
        "not a feature",
    ]
    parsed = parse_file(
        json.dumps({"type": "FeatureCollection", "features": features}).encode(), "a.geojson"
    )
    assert [p.id for _, p in parsed.points] == ["p1"]
    assert [(e.position, e.point_id) for e in parsed.errors] == [
        (1, "q1"), (2, "q2"), (3, "q3"), (4, "q4"), (5, None),
    ]  # fmt: skip
    assert "unknown properties: colour" in parsed.errors[2].reason


@given(st.binary(max_size=400))
def test_any_bytes_are_read_or_refused_never_crash(data: bytes) -> None:
    for name in ("a.csv", "a.geojson"):
        try:
            parsed = parse_file(data, name)
        except FileRefused:
            continue
        assert all(error.reason for error in parsed.errors)


@given(st.text(max_size=80))
def test_any_text_in_a_row_is_a_point_or_a_reason(cell: str) -> None:
    row = GOOD.replace("测试终端", '"' + cell.replace('"', '""') + '"')
    try:
        parsed = parse_file(f"{HEADER}\n{row}".encode(), "a.csv")
    except FileRefused:
        return
    assert len(parsed.points) + len(parsed.errors) <= 2


def test_opening_hours_examples() -> None:
    assert format_hours(parse_hours("Mo-Fr 08:30-12:00,14:30-17:30; Sa 09:00-12:00")) == (
        "Mo-Fr 08:30-12:00,14:30-17:30; Sa 09:00-12:00"
    )
    assert format_hours(parse_hours("Mo,Tu,We,Th,Fr 14:30-17:30,08:30-12:00")) == (
        "Mo-Fr 08:30-12:00,14:30-17:30"
    )
    assert format_hours(parse_hours("Mo,We,Fr 09:00-24:00")) == "Mo,We,Fr 09:00-24:00"
    assert parse_hours(" 24/7 ") == ()
    bad_hours = (
        "", "Mo-Fr", "Fr-Mo 08:00-09:00", "Mo 09:00-08:00", "Mo 08:00-12:00,11:00-13:00",
        "Mo 08:00-09:00; Mo 10:00-11:00", "Xx 08:00-09:00", "Mo 8:00-9:00", "Mo 23:00-01:00",
        "PH off", "Mo 08:00-24:01",
    )  # fmt: skip
    for bad in bad_hours:
        with pytest.raises(InvalidHours):
            parse_hours(bad)


spans = st.tuples(st.integers(0, 1439), st.integers(1, 1440)).filter(lambda s: s[0] < s[1])


@given(st.lists(st.tuples(st.sets(st.integers(0, 6), min_size=1), spans), min_size=1, max_size=4))
def test_formatted_hours_read_back_the_same(rules: list[tuple[set[int], tuple[int, int]]]) -> None:
    days_seen: set[int] = set()
    parts = []
    for wanted, (opens, closes) in rules:
        days = wanted - days_seen
        if not days:
            continue
        days_seen |= days
        names = ",".join(("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")[d] for d in sorted(days))
        parts.append(
            f"{names} {opens // 60:02d}:{opens % 60:02d}-{closes // 60:02d}:{closes % 60:02d}"
        )
    text = "; ".join(parts)
    canonical = format_hours(parse_hours(text))
    assert format_hours(parse_hours(canonical)) == canonical
    assert parse_hours(canonical) == parse_hours(text)
