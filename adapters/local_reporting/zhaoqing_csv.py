"""Zhaoqing-style monthly CSV: one file per town per month, validated whole before anything.

Encoding is detected strictly: a UTF-8 byte-order mark means UTF-8, anything
else is GBK. Each line is decoded on its own, so a row in the other encoding
(a file stitched together from two editors) is a per-row error, not garbage:
a row that fails to decode, or — in a GBK file — a row that is valid UTF-8
with non-ASCII text, is reported as mixed encoding.

Columns (header row, any order): 序号, 身份证号, 姓名, 事由, 发生日期, 村居代码,
登记人编号, 登记人姓名 and the optional 备注. A missing or unknown column
refuses the file; a row with more or fewer cells than the header is a row
error, and so is a line that is not one CSV row (a quote not closed: a cell
with a line break cuts its row in two, and both halves are errors). 事由
``零报告`` makes the row a zero report for its village (ID number, name and
date left empty). Every row must lie in the declared town and month.
Rows repeating an earlier row's person and reason (or an earlier zero report
for the same village) are reported as duplicates of that row.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final

from pydantic import ValidationError

from certhub.schemas import EligibilityReport, Message, Role, ZeroReport, mask_ids_in_text

from ..gbk import decode_gbk
from ..types import InboundBatch, InboundItem, ItemError
from .signed import field_errors
from .vocabulary import REASONS, REPORT_COLUMNS, ZERO_REPORT

__all__ = ["COLUMNS", "NOT_A_ROW", "REQUIRED", "parse_monthly_csv"]

BOM: Final = b"\xef\xbb\xbf"
REQUIRED: Final = (
    "序号", "身份证号", "姓名", "事由", "发生日期", "村居代码", "登记人编号", "登记人姓名",
)  # fmt: skip
COLUMNS: Final = (*REQUIRED, "备注")
NOT_A_ROW: Final = (
    "not one CSV row: a quote not closed or misplaced, a line break inside a cell,"
    " or a CR alone (lines end in CR LF or LF)"
)
_FIELD_COLUMNS: Final = {
    **REPORT_COLUMNS,
    "reporter.name": "登记人姓名",
    "reporter": "登记人编号",
    "period": "发生日期",
}


@dataclass
class _Scan:
    town: str
    period: str
    header: list[str] = field(default_factory=list)
    items: list[InboundItem] = field(default_factory=list)
    errors: list[ItemError] = field(default_factory=list)
    seen: dict[tuple[str, ...], int] = field(default_factory=dict)
    total: int = 0


def parse_monthly_csv(data: bytes, *, town: str, period: str) -> InboundBatch:
    """Every row of one town's monthly file as an item or a row error.

    A file that cannot be read at all (undecodable header, missing or unknown
    columns, no rows) comes back with no items and a position-0 error.
    """
    utf8 = data.startswith(BOM)
    scan = _Scan(town, period)
    lines = _lines(data[len(BOM) :] if utf8 else data)
    for number, raw in lines:
        text = _decode(raw, utf8)
        if isinstance(text, ItemError):
            if not scan.header:
                return _refused(f"header row: {text.reason}")
            scan.total += 1
            scan.errors.append(text.model_copy(update={"position": number}))
            continue
        try:  # strict: a quote left open (a line break inside a cell) is no row to guess at
            cells = next(csv.reader([text], strict=True))
        except csv.Error:
            if not scan.header:
                return _refused(f"header row: {NOT_A_ROW}")
            scan.total += 1
            scan.errors.append(ItemError(position=number, reason=NOT_A_ROW))
            continue
        if not scan.header:
            problem = _header_problem(cells)
            if problem:
                return _refused(problem)
            scan.header = [cell.strip() for cell in cells]
            continue
        scan.total += 1
        _row(scan, number, cells)
    if not scan.header:
        return _refused("the file is empty")
    if not scan.total:
        return _refused("the file has a header but no rows")
    _drop_contradicted_zero_rows(scan)
    return InboundBatch(items=tuple(scan.items), errors=tuple(scan.errors), total=scan.total)


def _drop_contradicted_zero_rows(scan: _Scan) -> None:
    """A 零报告 row for a village the same file reports on is an error, in either order.

    The hub refuses a zero report beside reports of its month, but a file sent after
    its month records its reports for the month received: only the file shows both.
    """
    reported: dict[str | None, int] = {}
    for item in scan.items:
        if isinstance(item.message, EligibilityReport):
            reported.setdefault(item.message.region.village, item.position)
    kept = []
    for item in scan.items:
        if isinstance(item.message, ZeroReport) and item.message.region.village in reported:
            row = reported[item.message.region.village]
            reason = f"a 零报告 for a village reported in row {row}"
            scan.errors.append(ItemError(position=item.position, reason=reason))
        else:
            kept.append(item)
    scan.items = kept


def _refused(reason: str) -> InboundBatch:
    return InboundBatch(errors=(ItemError(position=0, reason=reason),))


def _lines(data: bytes) -> Iterator[tuple[int, bytes]]:
    for number, raw in enumerate(data.split(b"\n"), start=1):
        line = raw.removesuffix(b"\r")
        if line.strip():
            yield number, line


def _decode(raw: bytes, utf8: bool) -> str | ItemError:
    if utf8:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            reason = f"byte {exc.start + 1} is not UTF-8 (mixed encodings? the file has a BOM)"
            return ItemError(position=0, reason=reason)
    if not raw.isascii():
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return ItemError(position=0, reason="row is UTF-8 in a GBK file (mixed encodings)")
    try:
        return decode_gbk(raw)  # user-defined areas (造字) included: a rare character in a name
    except UnicodeDecodeError as exc:
        return ItemError(position=0, reason=f"byte {exc.start + 1} is not GBK")


def _header_problem(cells: list[str]) -> str | None:
    names = [cell.strip() for cell in cells]
    missing = [name for name in REQUIRED if name not in names]
    unknown = [name for name in names if name not in COLUMNS]
    repeated = sorted({name for name in names if names.count(name) > 1})
    problems = []
    if missing:
        problems.append("missing columns: " + ", ".join(missing))
    if unknown:
        problems.append("unknown columns: " + ", ".join(unknown[:10]))
    if repeated:
        problems.append("repeated columns: " + ", ".join(repeated))
    return "; ".join(problems) or None


def _row(scan: _Scan, number: int, cells: list[str]) -> None:
    if len(cells) != len(scan.header):
        what = "extra" if len(cells) > len(scan.header) else "missing"
        reason = f"{what} columns: {len(cells)} cells, the header has {len(scan.header)}"
        scan.errors.append(ItemError(position=number, reason=reason))
        return
    row = {name: cell.strip() for name, cell in zip(scan.header, cells, strict=True)}
    village = row["村居代码"]
    if not village.startswith(scan.town):
        scan.errors.append(ItemError(position=number, column="村居代码",
                                     reason=f"not in town {scan.town}"))  # fmt: skip
        return
    if not row["登记人编号"]:  # "zhaoqing:" is no coordinator: whoever collects, registers
        scan.errors.append(ItemError(position=number, column="登记人编号", reason="empty"))
        return
    message = _message(scan, number, row)
    if message is None:
        return
    key = _key(message)
    first = scan.seen.setdefault(key, number)
    if first != number:
        scan.errors.append(ItemError(position=number, reason=f"duplicate of row {first}"))
        return
    payload = json.dumps(message.model_dump(mode="json"), sort_keys=True).encode()
    digest = hashlib.sha256(payload).hexdigest()[:32]
    message_id = f"zq{scan.town}.{scan.period}.{digest}"
    scan.items.append(InboundItem(position=number, message_id=message_id, message=message))


def _message(scan: _Scan, number: int, row: dict[str, str]) -> Message | None:
    reporter = {"id": f"zhaoqing:{row['登记人编号']}", "role": Role.coordinator,
                "name": row["登记人姓名"] or None}  # fmt: skip
    region = {"county": row["村居代码"][:6], "village": row["村居代码"]}
    remarks = row.get("备注") or None
    try:
        if row["事由"] == ZERO_REPORT:
            filled = [name for name in ("身份证号", "姓名", "发生日期") if row[name]]
            if filled:
                scan.errors.append(ItemError(position=number, column=filled[0],
                                             reason="must be empty on a 零报告 row"))  # fmt: skip
                return None
            zero = {"reporter": reporter, "region": region, "period": scan.period}
            return ZeroReport.model_validate(zero | {"remarks": remarks})
        if row["事由"] not in REASONS:
            scan.errors.append(ItemError(position=number, column="事由",
                                         reason="unknown 事由; use " + "、".join(REASONS)
                                         + " or " + ZERO_REPORT))  # fmt: skip
            return None
        if not row["发生日期"].startswith(scan.period):
            scan.errors.append(ItemError(position=number, column="发生日期",
                                         reason=f"not in the month {scan.period}"))  # fmt: skip
            return None
        return EligibilityReport.model_validate(
            {
                "reason": REASONS[row["事由"]],
                "person": {"id_number": row["身份证号"], "name": row["姓名"], "region": region},
                "event_date": row["发生日期"],
                "reporter": reporter,
                "region": region,
                "remarks": remarks,
            }
        )
    except ValidationError as exc:
        scan.errors.extend(field_errors(exc, number, _FIELD_COLUMNS))
        return None


def _key(message: Message) -> tuple[str, ...]:
    if isinstance(message, EligibilityReport):
        return ("report", message.person.id_number, message.reason.value)
    if isinstance(message, ZeroReport):
        return ("zero", message.region.village or message.region.county)
    return ("other", mask_ids_in_text(repr(message)))
