"""The list of regions that must report every month (county or village codes)."""

from __future__ import annotations

import csv
import io

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
    return parse_reporting_units(path.read_text(encoding="utf-8-sig"), source=str(path))


def parse_reporting_units(text: str, *, source: str = "<text>") -> tuple[ReportingUnit, ...]:
    """Parse ``code,name`` lines (``#`` comments, a header line allowed)."""
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    units: dict[str, ReportingUnit] = {}
    for number, row in enumerate(csv.reader(io.StringIO("\n".join(lines))), start=1):
        if number == 1 and row[:1] == ["code"]:
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
