"""A Zhaoqing monthly file's cells are read as written, or their row is an error.

Rows are lines; a cell written with a line break inside its quotes (a spreadsheet's
multi-line 备注) cut the row in two. Before, the first half was read as the whole row
(its 备注 cut at the break, the unclosed quote ignored) and recorded, and only the
second half was reported.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from certhub.adapters.local_reporting.zhaoqing_csv import NOT_A_ROW, parse_monthly_csv
from certhub.mocks.city_platforms import ZhaoqingPlatform

TOWN, PERIOD = "441202101", "2026-10"
PLATFORM = ZhaoqingPlatform()
ROW = PLATFORM.rows(TOWN, PERIOD, 1)[0]


def _remarks_read(remark: str, encoding: str) -> list[str | None]:
    """The 备注 of every item read from a one-row file whose row has ``remark``."""
    data = PLATFORM.monthly_csv([[*ROW[:-1], remark]], encoding=encoding)
    batch = parse_monthly_csv(data, town=TOWN, period=PERIOD)
    return [getattr(item.message, "remarks", None) for item in batch.items]


def test_a_line_break_inside_a_quoted_cell_is_an_error_not_a_cut_cell() -> None:
    data = PLATFORM.monthly_csv([[*ROW[:-1], "家属来电\r\n已核实"]])
    batch = parse_monthly_csv(data, town=TOWN, period=PERIOD)
    assert batch.items == ()
    assert batch.errors
    assert batch.errors[0].position == 2  # the row's first line (the header is line 1)


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.sampled_from('家属,"已 \r\n核实x'), max_size=12),
    st.sampled_from(["gbk", "utf-8-sig"]),
)
def test_a_remark_is_read_as_written_or_its_row_is_refused(remark: str, encoding: str) -> None:
    read = _remarks_read(remark, encoding)
    assert read in ([], [remark.strip() or None])


def test_a_file_with_cr_alone_line_ends_is_refused_not_a_crash() -> None:
    data = PLATFORM.monthly_csv([ROW]).replace(b"\r\n", b"\r")
    batch = parse_monthly_csv(data, town=TOWN, period=PERIOD)
    assert batch.items == ()
    assert [(e.position, e.reason) for e in batch.errors] == [(0, f"header row: {NOT_A_ROW}")]
