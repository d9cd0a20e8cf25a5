"""The demo's comparison: the 免办 ratio, tasks opened, a void that clears its task, and a
wrongly confirmed death restored by people once its record is voided."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from certhub.hub.cli.demo_comparison import run_comparison_demo
from certhub.hub.core.settings import Settings


def summary_of(folder: Path, line: str) -> dict[str, Any]:
    """The summary of the run a line of the demo's output names (``comparison YYYY-MM: …``)."""
    period = line.split()[1].rstrip(":")
    path = folder / "comparison-runs" / f"{period}-all.json"
    summary: dict[str, Any] = json.loads(path.read_text())
    return summary


async def test_the_demo_shows_exemptions_tasks_and_a_reversal(tmp_path: Path) -> None:
    out = io.StringIO()
    demo = await run_comparison_demo(Settings(data_dir=tmp_path), out)
    assert demo.ok, demo
    summary = json.loads((tmp_path / "comparison-runs" / f"{demo.period}-all.json").read_text())
    assert demo.certified == summary["certified"] == summary["ledger"]["recorded"]
    assert demo.exempt_ratio == summary["exempt_ratio"]
    open_proposals = sum(k.get("open", 0) for k in summary["tasks"].values())
    assert demo.tasks_opened == open_proposals
    first, second, third = out.getvalue().splitlines()
    assert f"免办 {demo.exempt_ratio:.1%}" in first
    assert second.endswith("task cleared")
    assert summary_of(tmp_path, second)["ledger"]["reversals"] == {
        "cleared": 1,
        "restoration_proposed": 1,
    }
    assert "accepted by the town, approved by the county: closure lifted, back pay" in third
    assert demo.restored in third
