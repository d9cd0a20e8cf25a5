"""Feed records that matched nobody are kept only for a retention period, then purged.

A run keeps, for staff, the records about people not on the roster
(``unmatched.parquet``) and the invalid-ID records queued by name
(``review.json``): a roster fixed next month may explain them. They are
personal data about people the scheme may have nothing to do with, so each is
deleted once older than ``CERTHUB_COMPARISON_UNMATCHED_RETENTION_DAYS``
(default 90) — counted from when the run wrote it. The caller records an
audit entry for every file *before* it is deleted (:class:`Expired` carries
the digest of its content), so the audit chain proves what was purged when;
a crash between the two only repeats the entry on the next purge.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from certhub.hub.store import LedgerStore

__all__ = ["UNMATCHED_FILES", "Expired", "expired", "purge_unmatched"]

UNMATCHED_FILES: Final = ("unmatched.parquet", "review.json")
"""The outputs of a run that hold records matching nobody on the roster."""
_DAY: Final = 86_400.0


@dataclass(frozen=True)
class Expired:
    """One file past its retention: where it is, the run it belongs to, its content's digest."""

    path: Path
    run_id: str
    sha256: str

    @property
    def subject(self) -> str:
        """``<run id>/<file name>``: the audit entry's subject (no personal data)."""
        return f"{self.run_id}/{self.path.name}"

    def delete(self) -> None:
        """Remove the file (already gone is fine: a purge may be repeated)."""
        self.path.unlink(missing_ok=True)


def _digest(path: Path) -> str:
    with path.open("rb") as stream:  # streamed: the file may be larger than memory
        return hashlib.file_digest(stream, "sha256").hexdigest()


def expired(runs_dir: Path, retention_days: int, now: float) -> Iterator[Expired]:
    """The unmatched-record files of every run written more than ``retention_days`` before ``now``.

    Args:
        runs_dir: ``DATA/comparison-runs``.
        retention_days: the retention period (at least 1).
        now: the current Unix time.
    """
    if retention_days < 1:
        raise ValueError("the retention period is at least one day")
    cutoff = now - retention_days * _DAY
    if not runs_dir.is_dir():
        return
    for folder in sorted(p for p in runs_dir.iterdir() if p.is_dir() and p.suffix != ".partial"):
        for name in UNMATCHED_FILES:
            path = folder / name
            if path.is_file() and path.stat().st_mtime < cutoff:
                yield Expired(path, folder.name, _digest(path))


async def purge_unmatched(
    store: LedgerStore, runs_dir: Path, retention_days: int, now: float
) -> list[str]:
    """Delete the unmatched-record files past retention, each audited first; their subjects."""
    purged = []
    for old in await asyncio.to_thread(lambda: list(expired(runs_dir, retention_days, now))):
        await store.record_audit("comparison_unmatched_purged", old.subject, "hub", old.sha256)
        await asyncio.to_thread(old.delete)
        purged.append(old.subject)
    return purged
