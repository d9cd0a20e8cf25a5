"""Processes of tests and benchmarks: the live ones below a process (from Linux ``/proc``),
for tests that kill one of a hub's processes and benchmarks that count a server's CPU time,
and stopping a server a test started."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any


def children(pid: int) -> list[int]:
    """The live child processes of ``pid``."""
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except FileNotFoundError:  # the process is gone: no live children
        return found
    for task in tasks:
        try:
            found += map(int, (task / "children").read_text().split())
        except FileNotFoundError:  # a thread that ended since the listing (an executor's)
            continue
    return found


def descendants(pid: int) -> list[int]:
    """Every live process below ``pid`` (signature helpers, ingress processes and theirs)."""
    below = children(pid)
    return below + [grandchild for child in below for grandchild in descendants(child)]


def stop_process(process: subprocess.Popen[Any], grace: float = 10.0) -> None:
    """SIGTERM, then SIGKILL if ``process`` lingers more than ``grace`` seconds."""
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
