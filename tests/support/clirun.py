"""The ``certhub`` command line in tests: an empty folder to run it in, a real process."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty current folder (no .env) and no CERTHUB_ variables from outside."""
    for name in list(os.environ):
        if name.startswith("CERTHUB_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def tree(folder: Path) -> set[str]:
    """Every path under ``folder`` (to show a command made nothing, or only what it should)."""
    return {str(path.relative_to(folder)) for path in folder.rglob("*")}


async def run_cli(*args: str) -> tuple[int, str]:
    """Exit status and combined output of ``certhub ARGS``."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "certhub.hub.cli.main",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode or 0, output.decode()
