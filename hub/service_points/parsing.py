"""Read a service-point file (CSV in UTF-8 or GBK, or GeoJSON) into points and per-row errors.

The file as a whole is refused (:class:`FileRefused`, nothing imported) when it
cannot be read at all: neither UTF-8 nor GBK, not a GeoJSON FeatureCollection,
a missing or unknown column. Otherwise every row is either a
:class:`~certhub.hub.service_points.model.ServicePoint` or a :class:`RowError`
naming its line (CSV, counting the header as line 1) or feature index
(GeoJSON, from 0) and what is wrong; an id repeated in one file is an error on
the later row.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from pydantic import ValidationError

from certhub.hub.service_points.model import ServicePoint
from certhub.hub.service_points.vocabulary import (
    COLUMN_ALIASES,
    FIELDS,
    LIST_FIELDS,
    REQUIRED,
    VALUE_ALIASES,
)

BOM: Final = b"\xef\xbb\xbf"
MAX_ROWS: Final = 200_000  # the province has about 30,000 points; more is not a point list
_SEPARATORS: Final = str.maketrans({"、": "|", ";": "|", "；": "|", ",": "|", "，": "|"})


class FileRefused(ValueError):
    """The file cannot be read as a service-point list at all; nothing of it is imported."""


@dataclass(frozen=True, slots=True)
class RowError:
    """One row that was not imported, and why."""

    position: int
    point_id: str | None
    reason: str


@dataclass
class ParsedFile:
    """The points a file holds (with their row positions) and its refused rows."""

    points: list[tuple[int, ServicePoint]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    _seen: dict[str, int] = field(default_factory=dict)

    def add(self, position: int, values: Mapping[str, Any]) -> None:
        """Validate one row's values and keep the point or the error."""
        point_id = values.get("id")
        shown = point_id if isinstance(point_id, str) and point_id else None
        try:
            point = ServicePoint.model_validate(dict(values))
        except ValidationError as exc:
            self.errors.append(RowError(position, shown, _reasons(exc)))
            return
        if (first := self._seen.get(point.id)) is not None:
            self.errors.append(RowError(position, shown, f"id repeats row {first}"))
            return
        self._seen[point.id] = position
        self.points.append((position, point))


def parse_file(data: bytes, name: str) -> ParsedFile:
    """The points and row errors of a ``.csv`` or ``.geojson``/``.json`` file.

    Raises:
        FileRefused: undecodable, not a FeatureCollection, bad header, too many rows.
    """
    lowered = name.lower()
    if lowered.endswith((".geojson", ".json")):
        return parse_geojson(data)
    if lowered.endswith(".csv"):
        return parse_csv(data)
    raise FileRefused(f"{name}: expected a .csv, .geojson or .json file")


def decode_text(data: bytes) -> str:
    """The text of a UTF-8 (with or without BOM) or else GBK file.

    Raises:
        FileRefused: the bytes are neither, naming the first bad byte.
    """
    try:
        return data.removeprefix(BOM).decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("gbk")
        except UnicodeDecodeError:
            at = utf8_error.start + 1
            raise FileRefused(f"byte {at} is neither UTF-8 nor GBK") from None


def parse_csv(data: bytes) -> ParsedFile:
    """Rows of a CSV point list; the header names fields in English or Chinese (any order)."""
    reader = csv.reader(io.StringIO(decode_text(data), newline=""))
    header = next(reader, None)
    if header is None:
        raise FileRefused("the file is empty")
    columns = _columns(header)
    parsed = ParsedFile()
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        position = reader.line_num
        if len(parsed.points) + len(parsed.errors) >= MAX_ROWS:
            raise FileRefused(f"more than {MAX_ROWS} rows")
        if len(cells) != len(columns):
            reason = f"{len(cells)} cells where the header has {len(columns)}"
            at = columns.index("id")  # a short row may end before the id column
            shown = (cells[at].strip() if at < len(cells) else "") or None
            parsed.errors.append(RowError(position, shown, reason))
            continue
        parsed.add(position, _csv_values(dict(zip(columns, cells, strict=True))))
    return parsed


def parse_geojson(data: bytes) -> ParsedFile:
    """Features of a GeoJSON FeatureCollection of Points (RFC 7946: WGS-84, [lon, lat])."""
    try:
        document = json.loads(decode_text(data))
    except json.JSONDecodeError as exc:
        raise FileRefused(f"not JSON: {exc.msg} at line {exc.lineno}") from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise FileRefused("not a GeoJSON FeatureCollection")
    features = document.get("features")
    if not isinstance(features, list):
        raise FileRefused("the FeatureCollection has no features array")
    if len(features) > MAX_ROWS:
        raise FileRefused(f"more than {MAX_ROWS} features")
    parsed = ParsedFile()
    for index, feature in enumerate(features):
        values = _feature_values(feature)
        if isinstance(values, str):
            parsed.errors.append(RowError(index, _feature_id(feature), values))
        else:
            parsed.add(index, values)
    return parsed


def _columns(header: list[str]) -> list[str]:
    names = [COLUMN_ALIASES.get(cell.strip(), cell.strip()) for cell in header]
    if names and names[0].startswith("\ufeff"):  # a BOM inside GBK text: tolerate it
        names[0] = names[0].lstrip("\ufeff")
    problems = []
    if missing := [name for name in REQUIRED if name not in names]:
        problems.append("missing columns: " + ", ".join(missing))
    if unknown := [name for name in names if name not in FIELDS]:
        problems.append("unknown columns: " + ", ".join(unknown[:10]))
    if repeated := sorted({name for name in names if names.count(name) > 1}):
        problems.append("repeated columns: " + ", ".join(repeated))
    if problems:
        raise FileRefused("; ".join(problems))
    return names


def _csv_values(row: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, raw in row.items():
        cell = raw.strip()
        if not cell and name not in REQUIRED:
            continue  # an empty optional cell is absent, not ""
        if name in LIST_FIELDS:
            items = [item.strip() for item in cell.translate(_SEPARATORS).split("|")]
            values[name] = [_alias(name, item) for item in items if item]
        else:
            values[name] = _alias(name, cell)
    return values


def _alias(name: str, value: str) -> str:
    return VALUE_ALIASES.get(name, {}).get(value, value)


def _feature_values(feature: object) -> dict[str, Any] | str:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return "not a GeoJSON Feature"
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        return "geometry is not a Point"
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list) or len(coordinates) not in (2, 3):
        return "a Point has [longitude, latitude] coordinates"
    properties = feature.get("properties")
    if not isinstance(properties, dict):
        return "the feature has no properties object"
    values = {key: value for key, value in properties.items() if key in FIELDS}
    if unknown := sorted(set(properties) - set(FIELDS) - _DERIVED):
        return "unknown properties: " + ", ".join(unknown[:10])
    values.setdefault("id", feature.get("id"))
    values["lon"], values["lat"] = coordinates[0], coordinates[1]
    return {key: value for key, value in values.items() if value is not None}


# Properties our own export adds for display; an import of an export ignores them.
_DERIVED: Final = frozenset(
    {"kind_label", "method_labels", "accessibility_labels", "gcj02", "schedules", "distance_m"}
)


def _feature_id(feature: object) -> str | None:
    if isinstance(feature, dict):
        candidate = feature.get("id")
        if isinstance(candidate, str):
            return candidate
    return None


def _reasons(exc: ValidationError) -> str:
    return "; ".join(_reason(error) for error in _first(exc.errors(include_url=False)))


def _first(errors: list[Any]) -> Iterator[Any]:
    yield from errors[:5]


def _reason(error: Mapping[str, Any]) -> str:
    where = ".".join(str(part) for part in error.get("loc", ()))
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message
