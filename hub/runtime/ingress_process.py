"""An ingress process of ``certhub serve --processes N``: started by the first process, not by hand.

It reads its settings as the first process did (plus what
:func:`~certhub.hub.runtime.processes.ingress_environment` sets), listens
on the shared port, and stops on SIGTERM or as soon as the process that
started it is gone (it would otherwise keep answering with nobody to
commit its writes, or outlive a deployment being stopped).
"""

from __future__ import annotations

import asyncio
import os

from certhub.hub.core.settings import Settings
from certhub.hub.runtime.app import create_app
from certhub.hub.runtime.gc_tuning import tune_gc_after_startup
from certhub.hub.runtime.lifecycle import start_tracing
from certhub.hub.runtime.processes import INGRESS_STOP_SECONDS
from certhub.hub.runtime.serving import run_hub
from certhub.monitoring.logging import configure_logging
from certhub.monitoring.tracing import shutdown_tracing

__all__ = ["main", "stop_when_orphaned"]


async def stop_when_orphaned(stop: asyncio.Event, every: float = 1.0) -> None:
    """Set ``stop`` once this process's parent has changed (it exited)."""
    parent = os.getppid()
    while os.getppid() == parent:  # noqa: ASYNC110 - a parent's exit sends no event to wait on
        await asyncio.sleep(every)
    stop.set()


def main() -> None:
    """Serve as one ingress process until stopped."""
    settings = Settings()
    configure_logging(settings.log_level)
    start_tracing(settings)  # each process exports its own spans
    app = create_app(settings)
    app.on_startup.append(tune_gc_after_startup)
    try:
        run_hub(
            app,
            settings,
            share_port=True,
            stop_also=stop_when_orphaned,
            stop_within=INGRESS_STOP_SECONDS,  # before the first process's grace runs out
        )
    finally:
        shutdown_tracing()


if __name__ == "__main__":
    main()
