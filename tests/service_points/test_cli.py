"""``certhub service-points import|export`` as a real process: idempotent import, round trip."""

from __future__ import annotations

import json
from pathlib import Path

from clirun import run_cli

from certhub.hub.service_points.sample import SAMPLE_NAME, sample_points

GBK_ROWS = (
    "编号,类型,名称,地址,区县代码,纬度,经度,认证方式,开放时间\n"
    "gbk-1,社保自助终端,社保自助终端（高峰）,云浮市云城区高峰街道,445302,22.9445,112.0135,人脸识别,24/7\n"
    "gbk-2,社保自助终端,坏坐标,云浮市云城区,445302,NaN,112.0135,人脸识别,24/7\n"
    "gbk-3,银行,未知类型,云浮市云城区,445302,22.9,112.0,人脸识别,24/7\n"
)


async def test_import_twice_then_export_and_import_the_export(tmp_path: Path) -> None:
    data = ["--data", str(tmp_path / "var")]
    sample = tmp_path / SAMPLE_NAME
    sample.write_bytes(sample_points())
    status, out = await run_cli("service-points", "import", str(sample), *data)
    assert (status, out.strip()) == (
        0,
        "sample_points.csv: 38 rows, 38 new, 0 changed, 0 unchanged, 0 refused",
    )
    status, out = await run_cli("service-points", "import", str(sample), *data)
    assert (status, out.strip()) == (
        0,
        "sample_points.csv: 38 rows, 0 new, 0 changed, 38 unchanged, 0 refused",
    )
    exported = tmp_path / "points.geojson"
    status, out = await run_cli("service-points", "export", "--out", str(exported), *data)
    assert (status, out.strip()) == (0, f"{exported}: 38 service points")
    document = json.loads(exported.read_text(encoding="utf-8"))
    assert len(document["features"]) == 38
    status, out = await run_cli("service-points", "import", str(exported), *data)
    assert (status, out.strip()) == (
        0,
        "points.geojson: 38 rows, 0 new, 0 changed, 38 unchanged, 0 refused",
    )
    status, out = await run_cli("service-points", "export", "--county", "4412", *data)
    assert status == 0
    assert {f["properties"]["county"][:4] for f in json.loads(out)["features"]} == {"4412"}


async def test_a_gbk_file_reports_its_bad_rows_and_keeps_the_good_one(tmp_path: Path) -> None:
    source = tmp_path / "云城区.csv"
    source.write_bytes(GBK_ROWS.encode("gbk"))
    data = ["--data", str(tmp_path / "var")]
    status, out = await run_cli("service-points", "import", str(source), *data)
    lines = out.strip().splitlines()
    assert status == 1
    assert lines[0].startswith("line 3 gbk-2: lat")
    assert lines[1].startswith("line 4 gbk-3: kind")
    assert lines[2] == "云城区.csv: 3 rows, 1 new, 0 changed, 0 unchanged, 2 refused"
    status, out = await run_cli("service-points", "export", *data)
    assert [f["id"] for f in json.loads(out)["features"]] == ["gbk-1"]


async def test_a_refused_file_stores_nothing(tmp_path: Path) -> None:
    source = tmp_path / "points.csv"
    source.write_bytes(b"id,kind,colour\n1,2,3\n")
    var = tmp_path / "var"
    status, out = await run_cli("service-points", "import", str(source), "--data", str(var))
    assert status == 2
    assert out.strip() == (
        "certhub: error: points.csv: missing columns: name, address, county, lat, lon, methods,"
        " hours; unknown columns: colour; nothing imported"
    )
    assert not (var / "ledger.db").exists()
