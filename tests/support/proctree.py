"""The live processes below a process, from Linux ``/proc``: for tests that kill one of a
hub's processes and for benchmarks that count the CPU time of a server and its helpers."""

from __future__ import annotations

from pathlib import Path


def children(pid: int) -> list[int]:
    """The live child processes of ``pid``."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += map(int, (task / "children").read_text().split())
    return found


def descendants(pid: int) -> list[int]:
    """Every live process below ``pid`` (signature helpers, ingress processes and theirs)."""
    below = children(pid)
    return below + [grandchild for child in below for grandchild in descendants(child)]
