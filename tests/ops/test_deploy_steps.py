"""README's step-by-step deployment provisions every file the units' settings name.

A newcomer follows "Deploying on two machines" → "Step by step" and installs
``deploy/systemd/certhub.env.example`` as ``/etc/certhub/certhub.env``. Any file
under ``/etc/certhub`` that env file points a setting at must be put there by one
of the steps, or the units' first start is a refusal the steps never explain
(``certhub: error: reporting units: [Errno 2] No such file or directory``).
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")
ENV_EXAMPLE = REPO / "deploy" / "systemd" / "certhub.env.example"


def _steps() -> str:
    start = README.index("**Step by step.**")
    return README[start : README.index("\n**", start + 1)]


def test_every_etc_file_the_env_example_names_is_provisioned_by_a_step() -> None:
    named = {
        value
        for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
        if (m := re.fullmatch(r"CERTHUB_[A-Z0-9_]+=(/etc/certhub/\S+)", line.strip()))
        for value in [m.group(1)]
    }
    assert "/etc/certhub/reporting_units.csv" in named  # the example still names one
    steps = _steps()
    assert sorted(path for path in named if path not in steps) == []
