"""A reporting-units file saved in GBK (Excel's default on a Chinese Windows) is refused
with a message an operator can act on: which file, which line, and that it must be UTF-8."""

from __future__ import annotations

from pathlib import Path

import pytest

from certhub.hub.cli.common import CliError
from certhub.hub.cli.serve import preflight
from certhub.hub.core.settings import Settings

UNITS = "code,name\n440103001201,甲村\n440103001202,乙村\n"


def test_a_gbk_units_file_is_refused_naming_the_file_the_line_and_utf8(tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    units.write_bytes(UNITS.encode("gbk"))
    settings = Settings(data_dir=tmp_path / "data", reporting_units=units, port=0)
    with pytest.raises(CliError) as refused:
        preflight(settings)
    message = str(refused.value)
    assert f"{units}: line 2:" in message, message
    assert "UTF-8" in message, message


def test_the_same_file_in_utf8_passes_the_check(tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    units.write_text(UNITS, encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data", reporting_units=units, port=0)
    preflight(settings)
