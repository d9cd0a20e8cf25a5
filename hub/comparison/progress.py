"""A one-line progress bar with rate and ETA for long comparison steps (on a terminal)."""

from __future__ import annotations

import time
from typing import TextIO

__all__ = ["ProgressBar"]


class ProgressBar:
    """``[#####     ] 42% 420000/1000000 certifications, 21000/s, ETA 28 s`` rewritten in place.

    Redrawn at most once per percent, so a stream of millions costs a hundred writes.
    """

    def __init__(self, stream: TextIO, total: int, unit: str) -> None:
        """Count up to ``total`` ``unit`` on ``stream``."""
        self._stream, self._total, self._unit = stream, max(total, 1), unit
        self._done, self._shown = 0, -1
        self._began = time.monotonic()

    def advance(self, count: int) -> None:
        """``count`` more done."""
        self._done += count
        percent = min(100, self._done * 100 // self._total)
        if percent == self._shown:
            return
        self._shown = percent
        elapsed = max(time.monotonic() - self._began, 1e-6)
        rate = self._done / elapsed
        eta = (self._total - self._done) / rate if rate else 0.0
        bar = "#" * (percent // 4)
        self._stream.write(
            f"\r[{bar:<25}] {percent:3d}% {self._done}/{self._total} {self._unit},"
            f" {rate:,.0f}/s, ETA {eta:,.0f} s "
        )
        self._stream.flush()

    def step(self, name: str, index: int, total: int) -> None:
        """A named step of ``total`` finished (the comparison's phases)."""
        self._stream.write(f"\r[{index}/{total}] {name:<30}")
        self._stream.flush()

    def done(self) -> None:
        """End the bar's line."""
        self._stream.write("\n")
        self._stream.flush()
