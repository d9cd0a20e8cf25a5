"""A run's summary: what was compared, what came out, what was refused and why.

Counts are by city; refused rows are counted per source and reason with up to
three samples each, every ID number in a sample masked. The 免办 ratio is the
share of the roster certified by this run without any action of theirs.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any, Final

import duckdb

from certhub.hub.comparison.loading import FileNote
from certhub.hub.comparison.rules import RunWindow
from certhub.schemas import mask_resident_id

__all__ = ["SAMPLES", "SAMPLE_CHARACTERS", "mask_sample", "summarise"]

SAMPLES: Final = 3
SAMPLE_CHARACTERS: Final = 200
"""A sample's length at most: a department's field may be megabytes (the summary is read at
every metrics scrape and served over HTTP); cut after masking, so no number is cut in two."""
# Any long run of digits in a refused row may be an ID number, valid or not: mask them all
# (mask_ids_in_text masks only real numbers, and an invalid one is still a person's). Digits
# of any script (str patterns' \d): a number typed in full width is refused as invalid, and
# its sample showed it whole.
_DIGIT_RUN: Final = re.compile(r"\d{8,}[\dXxＸｘ]?")


def mask_sample(text: str) -> str:
    """``text`` with every run of 8 or more digits (any script's) masked (first 6 and last 2
    kept if 15/18), cut to :data:`SAMPLE_CHARACTERS` (an ellipsis last)."""
    masked = _DIGIT_RUN.sub(lambda m: mask_resident_id(m.group()), text)
    if len(masked) <= SAMPLE_CHARACTERS:
        return masked
    return masked[: SAMPLE_CHARACTERS - 1] + "…"


def _rows(con: duckdb.DuckDBPyConnection, query: str) -> list[tuple[Any, ...]]:
    return con.execute(query).fetchall()


def _by_city(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    cities: dict[str, dict[str, Any]] = {}
    for city, roster in _rows(con, "SELECT city, count(*) FROM roster GROUP BY city"):
        cities[city] = {"roster": roster, "certified": 0, "tasks": {}, "reversals": 0, "review": 0}
    for city, n in _rows(con, "SELECT city, count(*) FROM certifications GROUP BY city"):
        cities[city]["certified"] = n
    for city, kind, status, n in _rows(
        con, "SELECT city, task_kind, status, count(*) FROM proposals GROUP BY ALL"
    ):
        cities[city]["tasks"].setdefault(kind, {})[status] = n
    for table in ("reversals", "review"):
        for city, n in _rows(con, f"SELECT city, count(*) FROM {table} GROUP BY city"):
            cities[city][table] = n
    for entry in cities.values():
        entry["exempt_ratio"] = round(entry["certified"] / entry["roster"], 6)
    return dict(sorted(cities.items()))


def _refused(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    query = f"""SELECT source, reason, count(*), list(sample ORDER BY sample)[1:{SAMPLES}]
        FROM (SELECT * FROM roster_refused UNION ALL SELECT * FROM feed_refused)
        GROUP BY source, reason ORDER BY source, reason"""
    for source, reason, count, samples in _rows(con, query):
        out.setdefault(source, {})[reason] = {
            "count": count,
            "samples": [mask_sample(s or "") for s in samples],
        }
    return out


def summarise(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    period: str,
    window: RunWindow,
    notes: list[FileNote],
    *,
    feed_records: int,
) -> dict[str, Any]:
    """The summary document of a run (JSON-ready, no ID number unmasked).

    ``feed_records`` is every parsed feed row (the run counts them before it drops
    ``feed_checked``).
    """
    cities = _by_city(con)
    roster = sum(c["roster"] for c in cities.values())
    certified = sum(c["certified"] for c in cities.values())
    tasks: dict[str, dict[str, int]] = {}
    for kind, status, n in _rows(
        con, "SELECT task_kind, status, count(*) FROM proposals GROUP BY ALL"
    ):
        tasks.setdefault(kind, {})[status] = n
    blocked = _rows(con, "SELECT count(*) FROM seen_alive_blocked")[0][0]
    return {
        "run_id": run_id,
        "period": period,
        "city": window.city,
        "as_of": window.as_of.isoformat(),
        "roster": roster,
        "certified": certified,
        "exempt_ratio": round(certified / roster, 6) if roster else 0.0,
        "seen_alive_but_direct_evidence": blocked,
        "tasks": dict(sorted(tasks.items())),
        "reversals": _rows(con, "SELECT count(*) FROM reversals")[0][0],
        "review": _rows(con, "SELECT count(*) FROM review")[0][0],
        "feed_records": feed_records,
        "unmatched": dict(_rows(con, "SELECT department, records FROM unmatched ORDER BY 1")),
        "refused": _refused(con),
        "notes": [asdict(note) for note in notes],
        "cities": cities,
    }
