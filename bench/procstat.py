"""CPU accounting of benchmarked servers from Linux ``/proc``: a process and its children."""

from __future__ import annotations

import os
from pathlib import Path


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes and their live children have used (Linux /proc)."""
    total = 0
    for pid in [*pids, *(child for parent in pids for child in children(parent))]:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """The live child processes of ``pid`` (the hub's signature helper)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += map(int, (task / "children").read_text().split())
    return found


def descendants(pid: int) -> list[int]:
    """Every live process below ``pid`` (signature helpers, ingress processes and theirs)."""
    below = children(pid)
    return below + [grandchild for child in below for grandchild in descendants(child)]
