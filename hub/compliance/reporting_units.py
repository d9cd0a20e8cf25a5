"""The list of regions that must report every month (county or village codes)."""

from __future__ import annotations

import csv

from certhub.hub.core.settings import Settings
from certhub.hub.rules.compliance import ReportingUnit
from certhub.schemas import GUANGDONG_COUNTIES


class ReportingUnitsError(ValueError):
    """The reporting-units file is malformed; the message names the line."""


def load_reporting_units(settings: Settings) -> tuple[ReportingUnit, ...]:
    """Read the configured units; none when no file is configured or present."""
    path = settings.reporting_units_path
    if settings.reporting_units is None and not path.exists():
        return ()
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:  # e.g. saved as GBK by Excel on a Chinese Windows
        before = data[: exc.start].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        line = before.count(b"\n") + 1
        raise ReportingUnitsError(
            f"{path}: line {line}: not UTF-8 (save the file as UTF-8)"
        ) from exc
    return parse_reporting_units(text, source=str(path))


def parse_reporting_units(text: str, *, source: str = "<text>") -> tuple[ReportingUnit, ...]:
    """Parse ``code,name`` lines (``#`` comments, blank lines, a header line allowed).

    Errors name the file's own line number (1-based, every line counted), so
    an operator can go straight to the line: each line is parsed on its own
    rather than after dropping comments, which would shift the count.
    """
    units: dict[str, ReportingUnit] = {}
    first = True
    # Only \n, \r\n and \r end a line, as in an editor (str.splitlines would also split
    # at U+2028 and the like inside a name and shift every number after it).
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#"):
            continue
        row = next(csv.reader([line]), [])
        is_header, first = first and row[:1] == ["code"], False
        if is_header:
            continue
        if len(row) != 2:
            raise ReportingUnitsError(f"{source}: line {number}: want code,name")
        code, name = (cell.strip() for cell in row)
        if not _valid(code):
            raise ReportingUnitsError(f"{source}: line {number}: {code!r} is no Guangdong unit")
        if code in units:
            raise ReportingUnitsError(f"{source}: line {number}: {code} listed twice")
        units[code] = ReportingUnit(code, name)
    return tuple(units.values())


def _valid(code: str) -> bool:
    if not code.isascii() or not code.isdigit():
        return False
    if len(code) == 6:
        return code in GUANGDONG_COUNTIES
    return len(code) == 12 and code[:6] in GUANGDONG_COUNTIES
