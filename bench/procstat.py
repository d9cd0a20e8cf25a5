"""CPU accounting of benchmarked servers from Linux ``/proc``: a process and its children."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from proctree import descendants


def _family(pids: list[int]) -> list[int]:
    """The processes and all their live descendants: with ``--processes N`` each ingress
    process's signature helper is a grandchild."""
    return [*pids, *(below for parent in pids for below in descendants(parent))]


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes and all their live descendants have used."""
    total = 0
    for pid in _family(pids):
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def run_queue_seconds(pids: list[int]) -> float:
    """Seconds the threads of the processes and their descendants have spent runnable but
    waiting for a CPU (the second field of each thread's ``/proc/.../schedstat``).

    On a shared machine this is what a latency tail is made of when the server is not
    the one using the CPU: a thread that waits here adds to every request it holds.
    """
    total = 0
    for pid in _family(pids):
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            for task in Path(f"/proc/{pid}/task").iterdir():
                with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                    total += int((task / "schedstat").read_text().split()[1])
    return total / 1e9


def autogroup() -> str:
    """This process's scheduling autogroup and its nice (``/proc/self/autogroup``), or "".

    With autogroups on (``kernel.sched_autogroup_enabled``) the kernel shares the CPUs
    between sessions first and applies ``nice`` only inside a session: ``nice -n -10``
    gives a benchmark nothing against other sessions' work; the group's own nice does.
    """
    try:
        return Path("/proc/self/autogroup").read_text().strip()
    except OSError:
        return ""
