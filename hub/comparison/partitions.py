"""A run split by city: the job one worker takes, and the run's summary merged from its cities.

A run for a period is 21 partitions, one per prefecture-level city
(:data:`~certhub.hub.comparison.engine.CITIES`). Each partition is a city run of
the engine (``<period>-<city>``: its own outputs and summary file) recorded
in the ledger by the worker that took it. The run's own summary
(``<period>-all.json``) is merged from the partitions' summaries and the
ledger's record of each partition (state, attempts, last error), so it says
at every moment how far the run is (:class:`RunState`).

What only the whole files tell — lines the CSV reader could not parse, notes
on a file as a whole (its encoding, an unknown department), how many feed
rows there are — is read once when the run is submitted
(:func:`whole_file_facts`), not added up 21 times. What a city run cannot
know is left out rather than guessed: records that match nobody in the
province (``unmatched``, and the file kept for the retention period) are
listed by a province-wide run only (``certhub compare run`` without
``--by-city``).

The roster a city reads is the province-wide run's: the month's typed
snapshot when the submitter's data folder has one
(:mod:`~certhub.hub.comparison.typed_roster`), else the input folder's. The
job names the snapshot by its absolute path and the SHA-256 of the file it was
checked from, as it names its input folder; a worker on another machine reads
it there (a shared folder) or in its own data folder
(``DATA/roster/snapshots/YYYY-MM.checked/``, the same file's), and otherwise
the input folder's roster only if it is that file (a warning logged); if it is
not, the partition fails and says why (:func:`compare_partition`).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

import duckdb

from certhub.hub.comparison.engine import ComparisonRun, RunOptions, run_comparison
from certhub.hub.comparison.loading import load_feeds, load_roster
from certhub.hub.comparison.rules import RunWindow
from certhub.hub.comparison.sqlfuncs import install_macros
from certhub.hub.comparison.summary import mask_sample
from certhub.hub.comparison.typed_roster import (
    checked_roster,
    load_typed_roster,
    partition_roster,
)
from certhub.hub.store.comparison_jobs import SETTLED, PartitionRow, PartitionState

__all__ = [
    "PartitionJob",
    "RunState",
    "compare_partition",
    "merge_summaries",
    "run_state",
    "whole_file_facts",
]

SAMPLES: Final = 3  # refused-row samples kept per source and reason (as in a city's summary)
_SUMMED: Final = (
    "roster", "certified", "seen_alive_but_direct_evidence", "reversals", "review",
)  # fmt: skip
_LEDGER_COUNTS: Final = ("recorded", "already", "refused")


class RunState(StrEnum):
    """Where a run split by city is, from its partitions' states."""

    QUEUED = "queued"  # no partition taken yet
    RUNNING = "running"
    COMPLETED = "completed"  # every partition done
    FAILED = "failed"  # every partition settled, at least one failed on its last attempt


@dataclass(frozen=True, slots=True)
class PartitionJob:
    """One partition of a run, as published to the workers (JSON)."""

    run_id: str
    period: str
    city: str
    inputs: Path  # the roster and feeds snapshot (a folder every worker can read)
    as_of: date  # the run's "today", fixed when it was planned: every city compares the same days
    roster: Path | None = None  # the month's typed snapshot the submitter's data folder has
    roster_sha256: str | None = None  # of the file it was checked from (its source.json)

    def to_bytes(self) -> bytes:
        """The job's JSON body."""
        return json.dumps({
            "run_id": self.run_id, "period": self.period, "city": self.city,
            "inputs": str(self.inputs), "as_of": self.as_of.isoformat(),
            "roster": None if self.roster is None else str(self.roster),
            "roster_sha256": self.roster_sha256,
        }).encode()  # fmt: skip

    @classmethod
    def from_bytes(cls, body: bytes) -> PartitionJob:
        """The job in ``body``.

        Raises:
            ValueError: not a partition job (the worker drops it: it cannot run).
        """
        try:
            data = json.loads(body)
            return cls(
                str(data["run_id"]),
                str(data["period"]),
                str(data["city"]),
                Path(str(data["inputs"])),
                date.fromisoformat(str(data["as_of"])),
                None if data.get("roster") is None else Path(str(data["roster"])),
                None if data.get("roster_sha256") is None else str(data["roster_sha256"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"not a comparison partition job: {exc}") from None

    @property
    def message_id(self) -> str:
        """``<run id>/<city>``: what the job is about, in logs and on the broker."""
        return f"{self.run_id}/{self.city}"

    def for_city(self, city: str) -> PartitionJob:
        """The same run's job for ``city``."""
        return replace(self, city=city)


# The lines the CSV reader refused, as a city's summary words them (rules.clean_roster and
# clean_feed): each city counts the roster's again, and a province-wide run the feeds'.
_UNPARSED: Final = f"""
    SELECT source, reason, count(*), list(sample ORDER BY sample)[1:{SAMPLES}] FROM (
        SELECT 'roster' AS source, lower(replace(error_type, ' ', '-')) AS reason,
               'line ' || line || ': ' || csv_line AS sample FROM rejects_roster
        UNION ALL
        SELECT source, lower(replace(error_type, ' ', '-')), 'line ' || line || ': ' || csv_line
        FROM rejects_feed)
    GROUP BY ALL ORDER BY ALL"""


def whole_file_facts(inputs: Path, roster: Path | None = None) -> dict[str, Any]:
    """Lines the CSV reader could not parse (samples masked), file notes and feed rows.

    The roster's are those of the typed snapshot ``roster`` when there is one
    (what the reader refused in the file it was checked from), else of
    ``inputs``' roster.

    Raises:
        ComparisonInputError: the roster is missing or lacks a column (nothing is queued).
    """
    with tempfile.TemporaryDirectory(prefix="certhub-partitions-") as scratch:
        spill = str(Path(scratch) / "spill")
        con = duckdb.connect(config={"memory_limit": "512MB", "temp_directory": spill})
        try:
            con.execute("SET enable_progress_bar = false")
            install_macros(con)
            # the rows' own checks are the cities' (their as_of): any window will do here
            window = RunWindow(date.min, date.max)
            notes = (
                load_roster(con, inputs, Path(scratch), window)
                if roster is None
                else load_typed_roster(con, roster, window)
            )
            notes += load_feeds(con, inputs, Path(scratch), window)
            rows = con.execute(_UNPARSED).fetchall()
            counted = con.execute("SELECT count(*) FROM feed_checked").fetchone()
        finally:
            con.close()
    refused: dict[str, dict[str, Any]] = {}
    for source, reason, count, samples in rows:
        masked = [mask_sample(sample or "") for sample in samples]
        refused.setdefault(source, {})[reason] = {"count": count, "samples": masked}
    return {
        "refused": refused,
        "notes": [asdict(note) for note in notes],
        "feed_records": counted[0] if counted else 0,
    }


def compare_partition(job: PartitionJob, data_dir: Path, options: RunOptions) -> ComparisonRun:
    """Run ``job``'s city (outputs under ``data_dir``'s comparison-runs), bounded by ``options``.

    It reads the roster the job names (:func:`.typed_roster.partition_roster`), the job's
    day as today.

    Raises:
        ComparisonInputError: no roster, or the snapshot is not here and the input
            folder's roster is not the file it was checked from.
    """
    typed = None
    if job.roster is not None:
        local = checked_roster(data_dir, job.period)
        typed = partition_roster(job.roster, job.roster_sha256, job.inputs, local)
    return run_comparison(
        job.inputs,
        data_dir / "comparison-runs",
        job.period,
        city=job.city,
        options=RunOptions(options.memory_limit, options.threads, job.as_of),
        typed_roster=typed,
    )


def run_state(partitions: Iterable[PartitionRow]) -> RunState:
    """The run's state from its partitions'."""
    states = {p.state for p in partitions}
    if not states or states == {PartitionState.QUEUED}:
        return RunState.QUEUED
    if states <= SETTLED:
        return RunState.FAILED if PartitionState.FAILED in states else RunState.COMPLETED
    return RunState.RUNNING


def _add_counts(into: dict[str, Any], more: Mapping[str, Any]) -> None:
    """Sum nested count dictionaries (``tasks``: kind → status → n)."""
    for key, value in more.items():
        if isinstance(value, Mapping):
            _add_counts(into.setdefault(key, {}), value)
        else:
            into[key] = into.get(key, 0) + value


def _refused(
    summaries: Iterable[Mapping[str, Any]], whole: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """The cities' refused rows, with the whole files' unparsed lines counted once."""
    unparsed = whole.get("refused", {})
    merged: dict[str, dict[str, Any]] = {
        source: {reason: dict(entry) for reason, entry in reasons.items()}
        for source, reasons in unparsed.items()
    }
    for summary in summaries:
        for source, reasons in summary.get("refused", {}).items():
            for reason, entry in reasons.items():
                if reason in unparsed.get(source, {}):  # the whole file's, counted above
                    continue
                into = merged.setdefault(source, {}).setdefault(reason, {"count": 0, "samples": []})
                into["count"] += entry["count"]
                into["samples"] = sorted({*into["samples"], *entry["samples"]})[:SAMPLES]
    return {s: dict(sorted(r.items())) for s, r in sorted(merged.items())}


def _ledger(summaries: Iterable[Mapping[str, Any]]) -> dict[str, Any] | None:
    tallies = [s["ledger"] for s in summaries if "ledger" in s]
    if not tallies:
        return None
    merged: dict[str, Any] = dict.fromkeys(_LEDGER_COUNTS, 0)
    merged |= {"seconds": 0.0, "withheld": {}, "reports": {}, "reversals": {}}
    merged |= {"restoration_proposals": [], "purged": []}
    for tally in tallies:
        _add_counts(merged, {k: tally.get(k, 0) for k in (*_LEDGER_COUNTS, "seconds")})
        _add_counts(merged["withheld"], tally.get("withheld", {}))
        _add_counts(merged["reports"], tally.get("reports", {}))
        _add_counts(merged["reversals"], tally.get("reversals", {}))
        merged["restoration_proposals"] += tally.get("restoration_proposals", [])
        merged["purged"] += tally.get("purged", [])
    merged["seconds"] = round(merged["seconds"], 3)
    done = merged["recorded"] + merged["already"]
    merged["per_second"] = round(done / merged["seconds"], 1) if merged["seconds"] else 0.0
    return merged


def merge_summaries(
    job: PartitionJob,
    partitions: list[PartitionRow],
    summaries: Mapping[str, Mapping[str, Any]],
    whole: Mapping[str, Any],
) -> dict[str, Any]:
    """The summary of ``job``'s run from its partitions and the summaries of those done.

    ``summaries`` maps a city to its run's summary (with the ledger's tally),
    ``whole`` is :func:`whole_file_facts` of the run's inputs. Only the
    summaries of partitions in state ``done`` are counted, so a failed or
    unfinished city never adds half a result.
    """
    finished = {p.city: summaries[p.city] for p in partitions
                if p.state is PartitionState.DONE and p.city in summaries}  # fmt: skip
    done = list(finished.values())
    merged: dict[str, Any] = {"run_id": job.run_id, "period": job.period, "city": None}
    merged["state"] = run_state(partitions).value
    merged["as_of"] = job.as_of.isoformat()
    for name in _SUMMED:
        merged[name] = sum(int(s.get(name, 0)) for s in done)
    merged["exempt_ratio"] = (
        round(merged["certified"] / merged["roster"], 6) if merged["roster"] else 0.0
    )
    tasks: dict[str, Any] = {}
    cities: dict[str, Any] = {}
    for summary in done:
        _add_counts(tasks, summary.get("tasks", {}))
        cities |= summary.get("cities", {})
    merged["tasks"] = dict(sorted(tasks.items()))
    withheld: dict[str, Any] = {}
    for summary in done:  # certifications the ledger held back, no longer counted certified
        _add_counts(withheld, summary.get("withheld", {}))
    merged["withheld"] = dict(sorted(withheld.items()))
    merged["feed_records"] = int(whole.get("feed_records", 0))
    merged["unmatched"] = {}  # a city cannot tell: see the module's docstring
    merged["refused"] = _refused(done, whole)
    merged["notes"] = list(whole.get("notes", []))
    merged["cities"] = dict(sorted(cities.items()))
    merged["durations_seconds"] = {
        city: s["durations_seconds"]["total"]
        for city, s in sorted(finished.items())
        if "total" in s.get("durations_seconds", {})
    }
    merged["durations_seconds"]["total"] = round(sum(merged["durations_seconds"].values()), 3)
    if (ledger := _ledger(done)) is not None:
        merged["ledger"] = ledger
    merged["partitions"] = {
        p.city: {"state": p.state.value, "attempts": p.attempts, "error": p.error}
        for p in partitions
    }
    return merged
