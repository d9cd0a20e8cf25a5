"""A point list whose id column is not the first, with a row cut short (a hand-edited file).

The short row is a row error naming its line; the import goes on with the
others instead of stopping with a traceback and importing nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

from clirun import run_cli

ID_LAST = (
    "名称,类型,地址,区县代码,纬度,经度,认证方式,开放时间,编号\n"
    "社保自助终端（高峰）,社保自助终端,云浮市云城区高峰街道,445302,22.9445,112.0135,人脸识别,24/7,yf-1\n"
    "腰古镇社保窗口,镇（街）社保服务窗口,云浮市云城区腰古镇\n"
)


async def test_a_row_cut_short_before_the_id_column_is_a_row_error(tmp_path: Path) -> None:
    source = tmp_path / "云城区.csv"
    source.write_bytes(ID_LAST.encode("gbk"))
    data = ["--data", str(tmp_path / "var")]
    status, out = await run_cli("service-points", "import", str(source), *data)
    assert (status, out.strip().splitlines()) == (
        1,
        [
            "line 3: 3 cells where the header has 9",
            "云城区.csv: 2 rows, 1 new, 0 changed, 0 unchanged, 1 refused",
        ],
    )
    status, out = await run_cli("service-points", "export", *data)
    assert [f["id"] for f in json.loads(out)["features"]] == ["yf-1"]
