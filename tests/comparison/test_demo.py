"""The demo's comparison: the 免办 ratio, tasks opened, and a void that clears its task."""

from __future__ import annotations

import io
import json
from pathlib import Path

from certhub.hub.cli.demo_comparison import run_comparison_demo
from certhub.hub.core.settings import Settings


async def test_the_demo_shows_exemptions_tasks_and_a_reversal(tmp_path: Path) -> None:
    out = io.StringIO()
    demo = await run_comparison_demo(Settings(data_dir=tmp_path), out)
    assert demo.ok, demo
    summary = json.loads((tmp_path / "comparison-runs" / f"{demo.period}-all.json").read_text())
    assert demo.certified == summary["certified"] == summary["ledger"]["recorded"]
    assert demo.exempt_ratio == summary["exempt_ratio"]
    open_proposals = sum(k.get("open", 0) for k in summary["tasks"].values())
    assert demo.tasks_opened == open_proposals
    first, second = out.getvalue().splitlines()
    assert f"免办 {demo.exempt_ratio:.1%}" in first
    assert second.endswith("task cleared")
