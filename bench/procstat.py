"""CPU accounting of benchmarked servers from Linux ``/proc``: a process and its children."""

from __future__ import annotations

import os
from pathlib import Path

from proctree import descendants


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes and all their live descendants have used (Linux
    /proc): with ``--processes N`` each ingress process's signature helper is a grandchild."""
    total = 0
    for pid in [*pids, *(below for parent in pids for below in descendants(parent))]:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")
