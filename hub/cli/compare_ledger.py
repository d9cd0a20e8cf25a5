"""``certhub compare run``'s recording step: the hub's resources started for one run.

The recording itself — certifications, reports of direct evidence, clearing
steps for voids, each as the machine reporter ``adapter:comparison`` — is
:mod:`certhub.hub.comparison.recording`, which a worker also runs for each
city partition it takes. Here the CLI starts the hub's resources (not its
HTTP server) around it; on SQLite the hub must be stopped (one process owns
the ledger).
"""

from __future__ import annotations

from certhub.hub.cli.common import started_hub
from certhub.hub.comparison.engine import ComparisonRun
from certhub.hub.comparison.recording import (
    MACHINE_TYPES,
    LedgerTally,
    Pacing,
    comparison_sender,
    many_certifications,
    purge_unmatched,
    record_into,
)
from certhub.hub.core.settings import Settings

__all__ = ["MACHINE_TYPES", "LedgerTally", "purge_unmatched", "record_run"]

_BATCH = Pacing.batch  # rows read from the run's Parquet at a time (tests make it small)
_CHUNK = Pacing.chunk  # certifications recorded concurrently one by one


async def record_run(
    settings: Settings,
    run: ComparisonRun,
    period: str,
    *,
    show: bool = False,
    bulk: bool = True,
    sign_workers: int | None = None,
) -> LedgerTally:
    """Start the hub's resources, then :func:`~certhub.hub.comparison.recording.record_into`."""
    if many_certifications(run) and not bulk:  # verify on the other core
        settings = settings.model_copy(update={"signature_helper": True})
    async with started_hub(settings) as app:
        sender = await comparison_sender(app)
        return await record_into(
            app, sender, run, period, show=show, bulk=bulk, sign_workers=sign_workers,
            pacing=Pacing(_BATCH, _CHUNK),
        )  # fmt: skip
