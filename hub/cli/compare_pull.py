"""``certhub compare pull`` and ``compare run --pull``: the pulled feeds of a month's comparison.

Public security's household-registration cancellations are pulled from the department
playing the ``cancellation_feed`` role (the e-ID adapter, configured as
``CERTHUB_ADAPTERS__EID__…``) into the run's input folder as ``public_security.csv``
(:mod:`certhub.hub.comparison.pull`), where the run reads them as a dropped file.

``run --pull`` refuses the whole run when the pull fails (the department down, its circuit
open, an answer breaking the contract): a run without the month's cancellations would
certify as seen alive (免办) a pensioner whose death only public security has registered.
Nothing is written then — no feed file, no summary, nothing in the ledger.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from certhub.hub.cli.common import CliError, offline_settings, one_line
from certhub.hub.comparison.pull import PulledFeed, PullRefused, pull_cancellations
from certhub.hub.core.settings import Settings

__all__ = ["add_pull_command", "pull_feeds"]


def add_pull_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``certhub compare pull``."""
    pull = commands.add_parser(
        "pull",
        help="pull public security's cancellations of a period into the run's input folder",
    )
    pull.add_argument("--period", required=True, help="YYYY-MM")
    pull.add_argument(
        "--input", type=Path, required=True, metavar="DIR", help="the run's input folder"
    )
    pull.set_defaults(command=_pull, data=None, database_url=None)


def _pull(args: argparse.Namespace) -> int:
    pull_feeds(offline_settings(args), args.period, args.input)
    return 0


def pull_feeds(settings: Settings, period: str, folder: Path) -> PulledFeed:
    """Pull the period's cancellations into ``folder`` and print what was pulled.

    Raises:
        CliError: no adapter plays ``cancellation_feed``, the folder holds a dropped
            public-security feed, or the department failed (nothing written then).
    """
    try:
        pulled = asyncio.run(_pull_now(settings, period, folder))
    except (PullRefused, ValueError) as exc:
        raise CliError(one_line(exc)) from None
    left = ", ".join(f"{n} {reason}" for reason, n in pulled.not_death.items()) or "none"
    print(
        f"pulled {folder / pulled.file}: {pulled.rows} cancellations by death of {period}"
        f" in {pulled.pages} page(s); other reasons (not evidence of death): {left};"
        f" dated after the period: {pulled.after_period}",
        file=sys.stderr,
    )
    return pulled


async def _pull_now(settings: Settings, period: str, folder: Path) -> PulledFeed:
    # Imported here: the other commands need none of the adapters.
    from prometheus_client import CollectorRegistry

    from certhub.adapters import AdapterError, AdapterOptions, create_adapters
    from certhub.hub.departments.registry import Departments
    from certhub.monitoring.adapter_metrics import AdapterMetrics

    try:
        adapters = create_adapters(
            settings.adapters, AdapterOptions(AdapterMetrics(CollectorRegistry()))
        )
    except (AdapterError, ValueError) as exc:  # ValueError: pydantic's, a wrong setting
        raise CliError(one_line(exc)) from None
    try:
        departments = Departments(adapters, settings.adapter_roles)
    except AdapterError as exc:
        for adapter in adapters.values():
            await adapter.aclose()
        raise CliError(one_line(exc)) from None
    try:
        feed, name = departments.cancellation_feed, departments.player("cancellation_feed")
        if feed is None:
            raise CliError(
                "no adapter plays cancellation_feed: configure the e-ID service"
                " (CERTHUB_ADAPTERS__EID__BASE_URL); nothing pulled"
            )
        try:
            return await pull_cancellations(feed, period, folder)
        except AdapterError as exc:
            raise CliError(
                f"public security's cancellations ({name}) could not be pulled for {period}:"
                f" {one_line(exc)}; nothing written"
            ) from None
    finally:
        await departments.aclose()
