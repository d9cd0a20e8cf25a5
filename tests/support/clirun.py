"""Run the ``certhub`` command line as a real process from async tests."""

from __future__ import annotations

import asyncio
import sys


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
