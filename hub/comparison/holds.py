"""Certifications withheld when a run is recorded: people a person must look at first.

The run's certifications (``certifications.parquet``, rule R-ALIVE) are the people
seen alive in the period with no direct evidence *in this run*. Before any of them
is certified (免办, with the SMS telling the family to do nothing), the recording
asks the ledger as it stands then (:mod:`certhub.hub.store.certification_holds`); a
person is withheld — not certified, no SMS — when it holds them back: a verification
task open or in progress from an earlier run or a report (``task_open``), the benefit
closed by the hub's termination (``benefit_closed``), a task confirmed and no approved
restoration since (``task_confirmed``), an eligibility report about them filed and not
yet approved or rejected, whose task opens only on approval (``report_under_review``), the
province's latest roster entry saying ``terminated`` (``roster_terminated``).
(A direct record matched to a person by name only in this run keeps them out of the
run's certifications already: rule R-ALIVE.)

Each one withheld is a line of ``withheld.json`` (beside ``review.json``) with the
reason and the why; the run's summary counts them under ``withheld`` and no longer
as ``certified`` (``seen_alive_candidates`` keeps the run's own count).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import duckdb

from certhub.hub.comparison.engine import ComparisonRun
from certhub.hub.comparison.sqlfuncs import sql_path
from certhub.hub.store.certification_holds import CertificationHolds
from certhub.security import replace_atomic

__all__ = ["WITHHELD_FILE", "Withheld", "certifiable", "withhold"]

WITHHELD_FILE: Final = "withheld.json"
_BATCH: Final = 4096  # ID numbers read from the run and asked about at a time


@dataclass(frozen=True)
class Withheld:
    """The people of a run not certified, by ID number: (reason, why)."""

    people: dict[str, tuple[str, str]]

    def counts(self) -> dict[str, int]:
        """How many were withheld for each reason."""
        out: dict[str, int] = {}
        for reason, _ in self.people.values():
            out[reason] = out.get(reason, 0) + 1
        return dict(sorted(out.items()))


def _candidates(path: Path) -> Generator[list[tuple[Any, ...]]]:
    """(id_number, name, city, county) of the run's certifications, in batches."""
    con = duckdb.connect(config={"memory_limit": "256MB", "threads": 1})
    try:
        cursor = con.execute(
            f"SELECT id_number, name, city, county FROM read_parquet({sql_path(path)})"
        )
        while chunk := cursor.fetchmany(_BATCH):
            yield chunk
    finally:
        con.close()


async def withhold(store: CertificationHolds, run: ComparisonRun) -> Withheld:
    """Whom of ``run``'s certifications to withhold, asked now; ``withheld.json`` written
    and the summary's counts made true (see the module's docstring)."""
    people: dict[str, tuple[str, str]] = {}
    lines: list[str] = []
    cities: dict[str, int] = {}
    batches = _candidates(run.certifications)
    try:
        while batch := await asyncio.to_thread(next, batches, None):
            held = await store.certification_holds([row[0] for row in batch])
            for id_number, name, city, county in batch:
                hold = held.get(id_number)
                if hold is None:
                    continue
                people[id_number] = hold
                cities[city] = cities.get(city, 0) + 1
                row = {"id_number": id_number, "name": name, "city": city, "county": county}
                row |= {"reason": hold[0], "why": hold[1]}
                lines.append(json.dumps(row, ensure_ascii=False) + "\n")
    finally:
        batches.close()
    withheld = Withheld(people)
    path = run.folder / WITHHELD_FILE
    await asyncio.to_thread(replace_atomic, path, "".join(lines).encode())
    _recount(run.summary, withheld, cities)
    return withheld


def _recount(summary: dict[str, Any], withheld: Withheld, cities: dict[str, int]) -> None:
    """The summary's ``certified`` and 免办 ratios without the people withheld."""
    candidates = int(summary.setdefault("seen_alive_candidates", summary.get("certified", 0)))
    summary["certified"] = candidates - len(withheld.people)
    summary["withheld"] = withheld.counts()
    roster = int(summary.get("roster", 0))
    summary["exempt_ratio"] = round(summary["certified"] / roster, 6) if roster else 0.0
    for city, entry in summary.get("cities", {}).items():
        seen = int(entry.setdefault("seen_alive_candidates", entry["certified"]))
        entry["certified"] = seen - cities.get(city, 0)
        entry["withheld"] = cities.get(city, 0)
        entry["exempt_ratio"] = round(entry["certified"] / entry["roster"], 6)


def certifiable(
    batches: Iterable[Sequence[tuple[Any, ...]]], withheld: Withheld
) -> Iterator[list[tuple[Any, ...]]]:
    """``batches`` of certification rows (the ID number first) without those withheld."""
    for batch in batches:
        kept = [row for row in batch if row[0] not in withheld.people]
        if kept:
            yield kept
