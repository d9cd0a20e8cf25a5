"""Yunfu pushes and Zhaoqing monthly uploads, translated field by field; bad input per item."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import pytest
from latekit import label

from certhub.adapters import Adapter, create_adapter
from certhub.adapters.errors import RequestRejected, SignatureRejected
from certhub.adapters.local_reporting import YunfuPlatformAdapter, ZhaoqingUploadAdapter
from certhub.mocks.city_platforms import YunfuPlatform, ZhaoqingPlatform
from certhub.schemas import EligibilityReport, ReportReason, Role, ZeroReport

from .support import options

TOWN = "441202101"
JOSE = {"Content-Type": "application/jose"}


A = TypeVar("A", bound=Adapter[Any])


def trusting(name: str, kind: type[A], platform: YunfuPlatform | ZhaoqingPlatform, keys: Path) -> A:
    """The ``name`` adapter (a ``kind``), trusting the keys ``platform`` publishes (saved at
    ``keys``)."""
    platform.trust_store().save(keys)
    adapter = create_adapter(name, {"platform_keys_path": str(keys)}, options())
    assert isinstance(adapter, kind)
    return adapter


@pytest.fixture
def yunfu_platform() -> YunfuPlatform:
    return YunfuPlatform()


@pytest.fixture
def yunfu(yunfu_platform: YunfuPlatform, tmp_path: Path) -> YunfuPlatformAdapter:
    return trusting("yunfu", YunfuPlatformAdapter, yunfu_platform, tmp_path / "yunfu.jwks.json")


@pytest.fixture
def zq_platform() -> ZhaoqingPlatform:
    return ZhaoqingPlatform()


@pytest.fixture
def zhaoqing(zq_platform: ZhaoqingPlatform, tmp_path: Path) -> ZhaoqingUploadAdapter:
    return trusting("zhaoqing", ZhaoqingUploadAdapter, zq_platform, tmp_path / "zq.jwks.json")


async def test_yunfu_report_every_field(
    yunfu: YunfuPlatformAdapter, yunfu_platform: YunfuPlatform
) -> None:
    native = yunfu_platform.report(事由="服刑")
    batch = await yunfu.translate(yunfu_platform.sign(native, jti="yf-1"), JOSE, {})
    [item] = batch.items
    report = item.message
    assert isinstance(report, EligibilityReport)
    assert item.message_id == "yunfu.yf-1"
    assert report.reason is ReportReason.imprisonment
    assert report.person.id_number == native["身份证号"]
    assert report.person.name == native["姓名"]
    assert report.event_date.isoformat() == native["发生日期"]
    assert report.region.village == native["村居代码"]
    assert report.region.county == native["村居代码"][:6]
    assert report.reporter.id == f"yunfu:{native['登记人']['编号']}"
    assert report.reporter.role is Role.coordinator
    assert report.remarks == native["备注"]


async def test_yunfu_zero_report(
    yunfu: YunfuPlatformAdapter, yunfu_platform: YunfuPlatform
) -> None:
    period = label(0)  # this month in China, read as the test runs
    batch = await yunfu.translate(yunfu_platform.sign(yunfu_platform.zero_report(period)), JOSE, {})
    assert isinstance(batch.items[0].message, ZeroReport)
    assert batch.items[0].message.period == period


async def test_yunfu_invalid_field_is_named_without_the_id(
    yunfu: YunfuPlatformAdapter, yunfu_platform: YunfuPlatform
) -> None:
    native = yunfu_platform.report()
    wrong = native["身份证号"][:17] + ("0" if native["身份证号"][17] != "0" else "1")
    batch = await yunfu.translate(yunfu_platform.sign(native | {"身份证号": wrong}), JOSE, {})
    assert not batch.items
    assert batch.errors[0].column == "身份证号"
    assert wrong not in batch.errors[0].reason


async def test_yunfu_refuses_other_keys_tampering_and_media_types(
    yunfu: YunfuPlatformAdapter, yunfu_platform: YunfuPlatform
) -> None:
    stranger = YunfuPlatform()
    with pytest.raises(SignatureRejected):
        await yunfu.translate(stranger.sign(stranger.report()), JOSE, {})
    head, payload, signature = yunfu_platform.sign(yunfu_platform.report()).split(b".")
    with pytest.raises(SignatureRejected):
        await yunfu.translate(b".".join((head, payload[:-2] + b"AA", signature)), JOSE, {})
    with pytest.raises(RequestRejected) as media:
        await yunfu.translate(b"{}", {"Content-Type": "application/json"}, {})
    assert media.value.status == 415


def _upload(platform: ZhaoqingPlatform, data: bytes) -> dict[str, str]:
    return {"Content-Type": "text/csv", "X-Zhaoqing-Signature": platform.signature(data)}


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
async def test_zhaoqing_rows_translate_in_both_encodings(
    zhaoqing: ZhaoqingUploadAdapter, zq_platform: ZhaoqingPlatform, encoding: str
) -> None:
    period = label(0)  # this month in China, read as the test runs
    rows = zq_platform.rows(TOWN, period, 3)
    rows.append(zq_platform.zero_row(TOWN, 4, "250"))
    data = zq_platform.monthly_csv(rows, encoding=encoding)
    batch = await zhaoqing.translate(
        data, _upload(zq_platform, data), {"town": TOWN, "period": period}
    )
    assert not batch.errors
    reasons = [getattr(item.message, "reason", "zero") for item in batch.items]
    assert reasons == [
        ReportReason.death,
        ReportReason.imprisonment,
        ReportReason.duplicate_receipt,
        "zero",
    ]
    first = batch.items[0].message
    assert isinstance(first, EligibilityReport)
    assert first.person.name == rows[0][2]
    assert first.person.id_number == rows[0][1]
    assert [item.position for item in batch.items] == [2, 3, 4, 5]


def _bad_file_cases(
    platform: ZhaoqingPlatform,
) -> list[tuple[str, bytes, list[tuple[int, str | None, str]]]]:
    period = label(0)  # this month in China, read as the test runs
    rows = platform.rows(TOWN, period, 4)
    duplicate = [*rows, [*rows[1][:8], "再次上报"]]
    extra = [*rows[:3], [*rows[3], "多余"]]
    gbk = platform.monthly_csv(rows)
    utf8_row = ",".join(rows[2]).encode()
    lines = gbk.split(b"\r\n")
    lines[3] = utf8_row.replace(rows[2][2].encode("gbk"), rows[2][2].encode())
    mixed = b"\r\n".join(lines)
    bad_date = [rows[0], [*rows[1][:4], "2020-01-01", *rows[1][5:]], *rows[2:]]
    return [
        ("duplicate rows", platform.monthly_csv(duplicate), [(6, None, "duplicate of row 3")]),
        ("extra columns", platform.monthly_csv(extra), [(5, None, "extra columns")]),
        ("mixed encodings", mixed, [(4, None, "mixed encodings")]),
        (
            "date outside the month",
            platform.monthly_csv(bad_date),
            [(3, "发生日期", "not in the month")],
        ),
    ]


@pytest.mark.parametrize("case", range(4))
async def test_zhaoqing_bad_rows_are_reported_and_the_rest_kept(
    zhaoqing: ZhaoqingUploadAdapter, zq_platform: ZhaoqingPlatform, case: int
) -> None:
    period = label(0)  # this month in China, read as the test runs
    _name, data, expected = _bad_file_cases(zq_platform)[case]
    batch = await zhaoqing.translate(
        data, _upload(zq_platform, data), {"town": TOWN, "period": period}
    )
    found = [(e.position, e.column, e.reason) for e in batch.errors]
    assert [(p, c) for p, c, _ in found] == [(p, c) for p, c, _ in expected]
    assert all(
        want in reason for (_p, _c, reason), (_, _, want) in zip(found, expected, strict=True)
    )
    assert len(batch.items) == batch.total - len(batch.errors) >= 3
    assert all(
        error.position not in {item.position for item in batch.items} for error in batch.errors
    )


async def test_zhaoqing_missing_or_unknown_columns_refuse_the_file(
    zhaoqing: ZhaoqingUploadAdapter, zq_platform: ZhaoqingPlatform
) -> None:
    period = label(0)  # this month in China, read as the test runs
    from certhub.mocks.city_platforms import HEADER

    rows = zq_platform.rows(TOWN, period, 2)
    missing = zq_platform.monthly_csv(
        [row[:2] + row[3:] for row in rows], header=HEADER[:2] + HEADER[3:]
    )
    unknown = zq_platform.monthly_csv([[*row, "x"] for row in rows], header=(*HEADER, "籍贯"))
    for data, words in ((missing, "missing columns: 姓名"), (unknown, "unknown columns: 籍贯")):
        batch = await zhaoqing.translate(
            data, _upload(zq_platform, data), {"town": TOWN, "period": period}
        )
        assert not batch.items
        assert words in batch.errors[0].reason


async def test_zhaoqing_signature_covers_the_exact_bytes(
    zhaoqing: ZhaoqingUploadAdapter, zq_platform: ZhaoqingPlatform
) -> None:
    period = label(0)  # this month in China, read as the test runs
    data = zq_platform.monthly_csv(zq_platform.rows(TOWN, period, 2))
    headers = _upload(zq_platform, data)
    with pytest.raises(SignatureRejected):
        await zhaoqing.translate(data + b"\r\n", headers, {"town": TOWN, "period": period})
    with pytest.raises(SignatureRejected):
        await zhaoqing.translate(
            data, {"Content-Type": "text/csv"}, {"town": TOWN, "period": period}
        )
    with pytest.raises(RequestRejected):
        await zhaoqing.translate(data, headers, {"town": "x", "period": period})


async def test_zhaoqing_a_rare_name_in_gbk_user_defined_area_is_reported(
    zhaoqing: ZhaoqingUploadAdapter, zq_platform: ZhaoqingPlatform
) -> None:
    # A town's system writes a character GBK lacks (生僻字) in GBK's user-defined area (造字,
    # 0xAAA1), which CP936 and GB18030 read as U+E000. Before, the row — a death report —
    # was refused "byte n is not GBK": the death never reported, the benefit paid on. A
    # GB18030 four-byte sequence is not GBK: still refused.
    period = label(0)  # this month in China, read as the test runs
    rows = zq_platform.rows(TOWN, period, 3)
    data = zq_platform.monthly_csv(rows)
    first, third = rows[0][2].encode("gbk"), rows[2][2].encode("gbk")
    data = data.replace(first, first + b"\xaa\xa1", 1).replace(third, third + b"\x81\x30\x81\x30")
    batch = await zhaoqing.translate(
        data, _upload(zq_platform, data), {"town": TOWN, "period": period}
    )
    assert [(e.position, "not GBK" in e.reason) for e in batch.errors] == [(4, True)]
    report = batch.items[0].message
    assert isinstance(report, EligibilityReport)
    assert report.reason is ReportReason.death
    assert report.person.name == rows[0][2] + "\ue000"
    assert [item.position for item in batch.items] == [2, 3]
