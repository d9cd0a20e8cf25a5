"""The demo's register step: every number it prints, against the roster file and the truth.

The step (``hub/cli/demo_register.py``) runs here on a small province the
generator made and the comparison certified, as the demo runs it after its
comparison month. The expected counts are computed here on their own, from
the generator's files with the csv module and the ID-number rule: who goes on
the roster (every row but the people the truth says died, emigrated, drew
another pension or were wrongly reported dead; the first row of an ID number
once), who the comparison certified (the truth's ``certified``), and the
twelve people planted, certified 11 and 10 months ago (due: a certification
in month M covers M+1..M+12), 14 months ago (overdue), suspended since 400
days ago (more than a year: the clean-up list) and since the 1st of last
month.
"""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

from certhub.hub.cli.compare_ledger import record_run
from certhub.hub.cli.demo_register import run_register_demo
from certhub.hub.comparison.engine import RunOptions, run_comparison
from certhub.hub.comparison.generate import generate
from certhub.hub.core.settings import Settings
from certhub.hub.rules.months import month_index, month_label
from certhub.schemas.clock import shanghai_today
from certhub.schemas.resident_id import InvalidResidentId, validate_resident_id

GONE = {"died", "emigrated", "other_pension", "wrong_death"}


def _expected_roster(folder: Path) -> tuple[set[str], set[str]]:
    """(the ID numbers the import takes, those of them the comparison certified)."""
    with (folder / "truth" / "people.csv").open(encoding="utf-8", newline="") as file:
        truth = list(csv.DictReader(file))
    gone = {row["id_number"] for row in truth if row["fate"] in GONE}
    certified = {row["id_number"] for row in truth if row["certified"] == "true"}
    taken: set[str] = set()
    with (folder / "roster.csv").open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            number = row["id_number"]
            if number in gone or number in taken:
                continue
            try:
                validate_resident_id(number, today=shanghai_today())
            except InvalidResidentId:
                continue
            taken.add(number)
    return taken, taken & certified


def test_the_register_step_counts_what_the_files_say(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    period = month_label(month_index(shanghai_today()) - 2)
    folder = data / "comparison-demo" / period
    generate(folder, 800, period=period, seed=23)
    run = run_comparison(folder, data / "runs", period, options=RunOptions())
    recorder = Settings(
        data_dir=data, role="ingress", signature_helper=False,
        ministry_pull_seconds=0, metrics_port=None,
    )  # fmt: skip
    asyncio.run(record_run(recorder, run, period))
    out = io.StringIO()

    result = asyncio.run(run_register_demo(Settings(data_dir=data), period, out))

    roster, certified = _expected_roster(folder)
    planted = result.planted
    twelve = {*planted.long_suspended, *planted.suspended, *planted.due, *planted.overdue}
    assert len(twelve) == 12
    assert twelve <= roster - certified
    assert (len(planted.due), len(planted.overdue)) == (4, 2)
    assert result.before == dict.fromkeys(result.after, 0)  # nobody on the roster before
    assert result.after == {
        "on_roster": len(roster),
        "certified": len(certified),
        "due": 4,
        "overdue": 2,
        "not_certified": len(roster) - len(certified) - 12,
        "suspended": 6,
        "suspended_not_certified": 6,
        "long_suspended": 3,
        "terminated": 0,
    }
    assert result.ok
    listed = {
        name: {i["person"]["id_number"] for i in rows} for name, rows in result.samples.items()
    }
    assert listed["due"]
    assert listed["due"] <= set(planted.due)
    assert listed["long-suspended"] == set(planted.long_suspended)
    assert listed["suspended"] <= set(planted.suspended + planted.long_suspended)
    printed = out.getvalue()
    assert f"on the roster {len(roster)}: certified for the cycle {len(certified)}" in printed
    assert "due within 3 months 4, overdue 2" in printed
    assert str(planted.due[0]) not in printed  # ID numbers masked
