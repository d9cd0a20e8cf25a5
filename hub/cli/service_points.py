"""``certhub service-points import FILE`` and ``export``: the e-map's registry from and to files.

``import`` reads a CSV (UTF-8 or GBK, English or Chinese column names) or a
GeoJSON FeatureCollection, prints each refused row with its line (or feature
index), id and reason, and stores every valid point that is new or changed in
one ledger transaction, audited once; importing the same file again changes
nothing. Exit 0: every row imported; 1: some rows refused; 2: the file
refused (nothing stored). On SQLite the hub must be stopped (one process owns
the ledger); on PostgreSQL the import runs beside it.

``export`` writes the registry as GeoJSON (to ``--out`` atomically, or to
standard output), readable beside a running hub.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from certhub.hub.cli.common import CliError, offline_settings
from certhub.hub.core.settings import Settings
from certhub.hub.service_points import (
    FileRefused,
    ImportReport,
    ParsedFile,
    import_file,
    parse_file,
)
from certhub.hub.service_points.geojson import feature_collection
from certhub.hub.service_points.registry import from_row
from certhub.hub.service_points.sample import SAMPLE_NAME, sample_points
from certhub.hub.store import StoreUnavailable, open_ledger
from certhub.security import replace_atomic

__all__ = ["ACTOR", "add_service_point_commands", "load_sample"]

ACTOR = "cli:service-points-import"


def add_service_point_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``certhub service-points import|export``."""
    commands = sub.add_parser("service-points", help="the e-map's service points").add_subparsers(
        required=True
    )
    load = commands.add_parser("import", help="import points from CSV (UTF-8/GBK) or GeoJSON")
    load.add_argument("file", type=Path, metavar="FILE", help=".csv, .geojson or .json")
    _where(load)
    load.set_defaults(command=_import)
    dump = commands.add_parser("export", help="write every point as GeoJSON")
    dump.add_argument("--out", type=Path, help="file to write (default: standard output)")
    dump.add_argument("--county", default="44", help="a city (4 digits) or county (6) code")
    _where(dump)
    dump.set_defaults(command=_export)


def _where(command: argparse.ArgumentParser) -> None:
    command.add_argument("--data", type=Path, help="data folder (CERTHUB_DATA_DIR)")
    command.add_argument("--database-url", help="postgresql://… (CERTHUB_DATABASE_URL)")


def _import(args: argparse.Namespace) -> int:
    path: Path = args.file
    try:
        data = path.read_bytes()
        parsed = parse_file(data, path.name)
    except OSError as exc:
        raise CliError(f"{path}: {exc.strerror or exc}") from None
    except FileRefused as exc:
        raise CliError(f"{path.name}: {exc}; nothing imported") from None
    settings = offline_settings(args)
    report = asyncio.run(_store(settings, parsed, path.name, data))
    where = "feature" if path.suffix.lower() in {".geojson", ".json"} else "line"
    for error in report.errors:
        shown = f" {error.point_id}" if error.point_id else ""
        print(f"{where} {error.position}{shown}: {error.reason}")
    _summary(path.name, report)
    return 1 if report.errors else 0


async def _store(settings: Settings, parsed: ParsedFile, source: str, data: bytes) -> ImportReport:
    try:
        ledger = await open_ledger(settings)
    except StoreUnavailable as exc:
        raise CliError(str(exc)) from None
    try:
        return await import_file(ledger, parsed, source=source, actor=ACTOR, data=data)
    finally:
        await ledger.aclose()


def _summary(name: str, report: ImportReport) -> None:
    print(
        f"{name}: {report.total} rows, {report.created} new, {report.updated} changed,"
        f" {report.unchanged} unchanged, {len(report.errors)} refused"
    )


def _export(args: argparse.Namespace) -> int:
    county: str = args.county
    if not (county.isascii() and county.isdigit() and len(county) in {2, 4, 6}):
        raise CliError(f"--county {county!r} is not a 4- or 6-digit region code")
    settings = offline_settings(args)
    document = asyncio.run(_read(settings, county))
    text = json.dumps(document, ensure_ascii=False, indent=1) + "\n"
    if args.out is None:
        sys.stdout.write(text)
    else:
        replace_atomic(args.out, text.encode())
        print(f"{args.out}: {len(document['features'])} service points")
    return 0


async def _read(settings: Settings, county: str) -> dict[str, Any]:
    try:
        ledger = await open_ledger(settings, read_only=True)
    except StoreUnavailable as exc:
        raise CliError(str(exc)) from None
    try:
        rows = await ledger.service_points_in_county(county)
    finally:
        await ledger.aclose()
    return feature_collection(from_row(row) for row in rows)


async def load_sample(settings: Settings) -> ImportReport:
    """Import the shipped Yunfu/Zhaoqing sample (the demo's e-map); the ledger must be free."""
    data = sample_points()
    return await _store(settings, parse_file(data, SAMPLE_NAME), SAMPLE_NAME, data)
