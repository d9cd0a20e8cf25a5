"""The KPI table as files for the assessment meeting: CSV (UTF-8 with BOM) and XLSX.

The BOM lets Excel, which most offices open CSV files with, read the Chinese
unit names and headings as UTF-8. XLSX is written by XlsxWriter (a
well-kept, pure-Python writer of the Office Open XML format) with a header
row, frozen panes and each KPI's definition as the header's comment.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

import xlsxwriter

from certhub.hub.accountability.kpis import COLUMNS, KPIS

_DEFINITIONS = {k.name: k.definition for k in KPIS}


def to_csv(rows: Sequence[dict[str, Any]]) -> bytes:
    """The rows as CSV, one column per KPI, ``unit`` first."""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: "" if row[name] is None else row[name] for name in COLUMNS})
    return "\ufeff".encode() + text.getvalue().encode("utf-8")


def to_xlsx(rows: Sequence[dict[str, Any]], title: str) -> bytes:
    """The rows as one XLSX sheet named ``title`` (at most 31 characters, Excel's limit)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(title[:31])
    bold = book.add_format({"bold": True})
    for col, name in enumerate(COLUMNS):
        sheet.write(0, col, name, bold)
        if name in _DEFINITIONS:
            sheet.write_comment(0, col, _DEFINITIONS[name])
    for r, row in enumerate(rows, start=1):
        for col, name in enumerate(COLUMNS):
            value = row[name]
            if name in {"overpaid", "recovered", "written_off"}:
                sheet.write_number(r, col, float(value))
            elif value is None:
                sheet.write_blank(r, col, None)
            else:
                sheet.write(r, col, value)
    sheet.freeze_panes(1, 1)
    book.close()
    return buffer.getvalue()
