"""The demo's comparison: two monthly runs over a small synthetic province, into the demo's ledger.

The first month (two months ago) certifies the people seen alive (免办, each
with its SMS queued) and opens verification tasks on direct evidence; the
county confirms one of those deaths (:mod:`~certhub.hub.cli.demo_reversal`).
The second month (last month) brings civil affairs' void of two cremation
records: the open task resting on one is cleared; the confirmed death resting
on the other is voided, the hub proposes its restoration, and the town and
the county decide it over the HTTP API. Runs after the hub has stopped (on
SQLite one process owns the ledger), through ``certhub compare run``'s own
code, so the audit check that follows covers it too.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TextIO

from certhub.hub.cli.compare_ledger import LedgerTally, record_run
from certhub.hub.cli.demo_reversal import confirm_wrong_death, restore_wrong_death
from certhub.hub.comparison.catalogue import FEED_COLUMNS
from certhub.hub.comparison.engine import ComparisonRun, RunOptions, run_comparison
from certhub.hub.comparison.generate import generate
from certhub.hub.comparison.proposals import json_lines
from certhub.hub.core.settings import Settings
from certhub.hub.rules.months import month_index, month_label
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
    restored: str = ""  # what approving the restoration proposal made the hub sign

    @property
    def ok(self) -> bool:
        """Someone was certified, a task opened, a void cleared its task and a wrongly
        confirmed death was restored by people."""
        cleared = self.reversal == "cleared"
        return self.certified > 0 and self.tasks_opened > 0 and cleared and bool(self.restored)


def _months_ago(n: int) -> str:
    return month_label(month_index(shanghai_today()) - n)


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
    cleared, wrong = _single_sources(run)
    death = await confirm_wrong_death(settings, wrong)  # the county confirms; the hub terminates
    voided = _void(root / first, root / second, (cleared, wrong))
    later = await asyncio.to_thread(run_comparison, root / second, runs, second)
    undone = await record_run(recorder, later, second)
    reversal = "cleared" if undone.reversals.get("cleared") else "none"
    print(
        f"comparison {second}: {voided[0]} withdrawn by its department: task {reversal}",
        file=out,
    )
    restored = await restore_wrong_death(settings, death)
    print(
        f"wrong death: {voided[1]} withdrawn after the county had confirmed the death and the "
        f"hub terminated the benefit: {restored or 'NO restoration proposal'}",
        file=out,
    )
    return replace(_result(first, summary, tally, reversal), restored=restored)


def _single_sources(run: ComparisonRun) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two tasks of two people, each resting on one record alone: any kind (to clear), and a
    death on a civil-affairs cremation or burial record (to confirm, then void)."""
    alone = [
        p
        for p in json_lines(run.folder / "proposals.json")
        if p["status"] == "open" and len(p["sources"]) == 1
    ]
    death = next(
        p for p in alone
        if p["task_kind"] == "death" and p["sources"][0]["department"] == "civil_affairs"
    )  # fmt: skip
    return next(p for p in alone if p["id_number"] != death["id_number"]), death


def _void(before: Path, folder: Path, proposals: tuple[dict[str, Any], ...]) -> list[str]:
    """Next month's input: the same roster, and each proposal's department voiding its record."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "roster.csv").write_bytes((before / "roster.csv").read_bytes())
    when = f"{_months_ago(1)}-02"
    feeds: dict[str, list[str]] = {}
    voided = []
    for proposal in proposals:
        record = proposal["sources"][0]
        department = record["department"]
        feeds.setdefault(department, [",".join(FEED_COLUMNS)]).append(",".join([
            f"V-{record['record_id']}", proposal["id_number"], proposal["name"], "", "",
            "void", when, record["record_id"],
        ]))  # fmt: skip
        voided.append(f"{department}:{record['record_id']} ({record['kind']})")
    for department, lines in feeds.items():
        text = "\n".join(lines) + "\n"
        (folder / f"{department}.csv").write_text(text, encoding="utf-8")
    return voided


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
