"""Metrics of the monthly information comparison, read at scrape time from its run summaries.

A comparison run is a batch job (``certhub compare run``), not part of the
serving hub, so its figures cannot be counters the hub increments. The hub's
``/metrics`` shows, per scope, the **latest** run's summary instead (like a
textfile collector). Labels are bounded: ``scope`` is ``all`` or one of the 21
city prefixes, ``outcome`` and ``source`` come from closed sets (the outcomes
below, the roster and the catalogue's departments) — never an ID number.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Final

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

__all__ = ["ComparisonRunsCollector", "run_outcomes"]

log = logging.getLogger(__name__)

Summary = Mapping[str, Any]

_FAMILIES: Final = {
    "certhub_comparison_run_timestamp_seconds": (
        "Unix time the latest comparison run of a scope finished.",
        ["scope", "period"],
    ),
    "certhub_comparison_people": (
        "People by outcome in the latest comparison run of a scope.",
        ["scope", "outcome"],
    ),
    "certhub_comparison_exempt_ratio": (
        "Share of the roster certified without any action (免办) in the latest run.",
        ["scope"],
    ),
    "certhub_comparison_duration_seconds": (
        "Wall time of the latest comparison run of a scope (engine, without ledger writes).",
        ["scope"],
    ),
    "certhub_comparison_refused_rows": (
        "Input rows refused by the latest comparison run of a scope, by source file.",
        ["scope", "source"],
    ),
    "certhub_comparison_ledger_refused": (
        "Results of the latest run the ledger refused (certifications, reports, voids).",
        ["scope"],
    ),
    "certhub_comparison_ledger_reports": (
        "Direct-evidence reports of the latest run of a scope, by what the ledger did with them.",
        ["scope", "outcome"],
    ),
    "certhub_comparison_partitions": (
        "City partitions of the latest run split by city, by state (queued … failed).",
        ["scope", "state"],
    ),
}
PARTITION_STATES: Final = ("queued", "running", "retrying", "done", "failed")
REPORT_OUTCOMES: Final = (
    "task_opened",
    "task_joined",
    "amendment_opened",
    "linked_to_closed",
    "awaiting_second_source",
    "already",
    "refused",
)
"""What the ledger did with a run's report (``ledger.reports`` of its summary)."""


def run_outcomes(summary: Summary) -> dict[str, int]:
    """People by outcome: certified, withheld at recording, tasks by status, reversals,
    review, and the roster."""
    outcomes = {
        "roster": int(summary.get("roster", 0)),
        "certified": int(summary.get("certified", 0)),
        "withheld": sum(int(n) for n in summary.get("withheld", {}).values()),
        "reversal": int(summary.get("reversals", 0)),
        "review": int(summary.get("review", 0)),
        "task_open": 0,
        "task_awaiting_second_source": 0,
    }
    for statuses in summary.get("tasks", {}).values():
        for status, count in statuses.items():
            key = f"task_{status}"
            if key in outcomes:
                outcomes[key] += int(count)
    return outcomes


class ComparisonRunsCollector(Collector):
    """Gauges of the latest comparison run per scope, from ``latest()`` (summary documents)."""

    def __init__(self, latest: Callable[[], Iterable[tuple[float, Summary]]]) -> None:
        """``latest`` yields (finished at, summary) for the latest run of each scope."""
        self._latest = latest

    def describe(self) -> Iterable[Metric]:
        """Declare the families without reading any file."""
        return list(self._families().values())

    def collect(self) -> Iterator[Metric]:
        """One sample set per scope's latest run."""
        families = self._families()
        try:
            runs = list(self._latest())
        except Exception:  # a scrape never fails because a summary is being rewritten
            log.warning("comparison run summaries not readable for this scrape", exc_info=True)
            runs = []
        for finished, summary in runs:
            _add(families, finished, summary)
        yield from families.values()

    @staticmethod
    def _families() -> dict[str, GaugeMetricFamily]:
        return {
            name: GaugeMetricFamily(name, text, labels=labels)
            for name, (text, labels) in _FAMILIES.items()
        }


def _add(families: dict[str, GaugeMetricFamily], finished: float, summary: Summary) -> None:
    scope = summary.get("city") or "all"
    families["certhub_comparison_run_timestamp_seconds"].add_metric(
        [scope, str(summary.get("period", ""))], finished
    )
    for outcome, count in run_outcomes(summary).items():
        families["certhub_comparison_people"].add_metric([scope, outcome], count)
    families["certhub_comparison_exempt_ratio"].add_metric(
        [scope], float(summary.get("exempt_ratio", 0.0))
    )
    total = summary.get("durations_seconds", {}).get("total", 0.0)
    families["certhub_comparison_duration_seconds"].add_metric([scope], float(total))
    for source, reasons in summary.get("refused", {}).items():
        count = sum(int(entry.get("count", 0)) for entry in reasons.values())
        families["certhub_comparison_refused_rows"].add_metric([scope, source], count)
    ledger = summary.get("ledger") or {}
    refused = int(ledger.get("refused", 0))
    refused += sum(int(ledger.get(part, {}).get("refused", 0)) for part in ("reports", "reversals"))
    families["certhub_comparison_ledger_refused"].add_metric([scope], refused)
    if ledger:  # each outcome, 0 included: a closed set
        reports = ledger.get("reports", {})
        for outcome in REPORT_OUTCOMES:
            families["certhub_comparison_ledger_reports"].add_metric(
                [scope, outcome], int(reports.get(outcome, 0))
            )
    partitions = summary.get("partitions")
    if partitions:  # a run split by city: each state, 0 included, so an alert sees it clear
        states = [str(entry.get("state")) for entry in partitions.values()]
        for state in PARTITION_STATES:
            families["certhub_comparison_partitions"].add_metric(
                [scope, state], states.count(state)
            )
