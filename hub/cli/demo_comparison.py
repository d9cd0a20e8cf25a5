"""The demo's comparison: two monthly runs over a small synthetic province, into the demo's ledger.

The first month (two months ago) certifies the people seen alive (免办, each
with its SMS queued) and opens verification tasks on direct evidence; the
second month (last month) brings one department's void of a record a task
rested on, and the task is cleared. Runs after the hub has stopped (on
SQLite one process owns the ledger), through ``certhub compare run``'s own
code, so the audit check that follows covers it too.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from certhub.hub.cli.compare_ledger import LedgerTally, record_run
from certhub.hub.comparison.catalogue import FEED_COLUMNS
from certhub.hub.comparison.engine import ComparisonRun, RunOptions, run_comparison
from certhub.hub.comparison.generate import generate
from certhub.hub.comparison.proposals import json_lines
from certhub.hub.core.settings import Settings
from certhub.schemas.clock import shanghai_today

__all__ = ["ComparisonDemo", "run_comparison_demo"]

PENSIONERS = 3000


@dataclass(frozen=True)
class ComparisonDemo:
    """What the two runs did."""

    period: str
    roster: int
    certified: int
    exempt_ratio: float
    tasks_opened: int
    reversal: str

    @property
    def ok(self) -> bool:
        """Someone was certified, a task opened and the void cleared its task."""
        return self.certified > 0 and self.tasks_opened > 0 and self.reversal == "cleared"


def _months_ago(n: int) -> str:
    today = shanghai_today()
    index = today.year * 12 + today.month - 1 - n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


async def run_comparison_demo(settings: Settings, out: TextIO) -> ComparisonDemo:
    """Generate, compare and record two months; print one line per month on ``out``."""
    root = settings.data_dir / "comparison-demo"
    first, second = _months_ago(2), _months_ago(1)
    runs = settings.data_dir / "comparison-runs"
    recorder = Settings(
        data_dir=settings.data_dir, role="ingress", signature_helper=False,
        ministry_pull_seconds=0, metrics_port=None,
    )  # fmt: skip
    await asyncio.to_thread(generate, root / first, PENSIONERS, period=first, seed=17)
    run = await asyncio.to_thread(run_comparison, root / first, runs, first, options=RunOptions())
    tally = await record_run(recorder, run, first)
    summary = run.summary
    print(
        f"comparison {first}: {summary['roster']} on the roster, {summary['certified']} certified"
        f" without any action (免办 {summary['exempt_ratio']:.1%}, SMS queued), "
        f"{tally.reports.get('task_opened', 0)} verification tasks opened from direct evidence",
        file=out,
    )
    voided = _void_one(run, root / first, root / second)
    later = await asyncio.to_thread(run_comparison, root / second, runs, second)
    undone = await record_run(recorder, later, second)
    reversal = next(iter(undone.reversals), "none")
    print(f"comparison {second}: {voided} withdrawn by its department: task {reversal}", file=out)
    return _result(first, summary, tally, reversal)


def _void_one(run: ComparisonRun, before: Path, folder: Path) -> str:
    """Next month's input: the same roster, and civil affairs voiding one grade-A record."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "roster.csv").write_bytes((before / "roster.csv").read_bytes())
    proposal = next(
        p
        for p in json_lines(run.folder / "proposals.json")
        if p["status"] == "open" and len(p["sources"]) == 1
        and p["sources"][0]["department"] == "civil_affairs"
    )  # fmt: skip
    record = proposal["sources"][0]
    when = f"{_months_ago(1)}-02"
    line = [f"V-{record['record_id']}", proposal["id_number"], proposal["name"], "", "",
            "void", when, record["record_id"]]  # fmt: skip
    (folder / "civil_affairs.csv").write_text(
        ",".join(FEED_COLUMNS) + "\n" + ",".join(line) + "\n", encoding="utf-8"
    )
    return f"civil_affairs:{record['record_id']} ({record['kind']})"


def _result(
    period: str, summary: dict[str, Any], tally: LedgerTally, reversal: str
) -> ComparisonDemo:
    return ComparisonDemo(
        period=period,
        roster=int(summary["roster"]),
        certified=int(summary["certified"]),
        exempt_ratio=float(summary["exempt_ratio"]),
        tasks_opened=tally.reports.get("task_opened", 0),
        reversal=reversal,
    )

