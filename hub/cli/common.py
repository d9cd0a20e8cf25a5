"""What every ``certhub`` sub-command shares: its refusal, how a refusal is printed,
and the settings of a one-off writer beside the hub.

README promises one line ``certhub: error: …`` and exit status 2 for an
operator's mistake; :func:`one_line` turns any refusal (a pydantic
``ValidationError`` with many errors included) into that one line.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from pydantic import ValidationError

from certhub.hub.core.settings import Settings
from certhub.schemas import mask_ids_in_text

if TYPE_CHECKING:
    from aiohttp import web

__all__ = [
    "CliError",
    "ask",
    "must_exist",
    "offline_settings",
    "one_line",
    "setting_name",
    "started_hub",
]


class CliError(Exception):
    """A refusal to report as ``certhub: error: …`` (exit status 2)."""


def setting_name(loc: Sequence[int | str]) -> str:
    """The environment variable of a settings field location, e.g. ``CERTHUB_PORT``."""
    return "CERTHUB_" + "__".join(str(part).upper() for part in loc)


def _unknown_key(loc: Sequence[int | str]) -> str:
    """An unknown key as written in ``.env`` (where a certhub key carries its prefix)."""
    return "__".join(str(part) for part in loc).upper()


def one_line(exc: BaseException) -> str:
    """The refusal as one line: every validation error joined, inputs never echoed."""
    if isinstance(exc, ValidationError):
        settings = exc.title == "Settings"
        parts = []
        # include_input=False: a rejected value may be a password or an ID number.
        for error in exc.errors(include_input=False, include_url=False, include_context=False):
            where = ".".join(str(part) for part in error["loc"]) or exc.title
            if settings and error["type"] == "extra_forbidden":
                # Only .env (or a caller's keyword) can name an unknown setting.
                parts.append(f"{_unknown_key(error['loc'])}: unknown setting (check .env)")
                continue
            if settings and error["loc"]:
                where = setting_name(error["loc"])
            parts.append(f"{where}: {error['msg'].removeprefix('Value error, ')}")
        text = f"invalid {'settings' if settings else exc.title}: " + "; ".join(parts)
    else:
        text = str(exc) or type(exc).__name__
    return mask_ids_in_text(" ".join(text.split()))


def ask(question: str) -> bool:
    """Ask a yes/no question on the terminal; anything but y/yes is no."""
    print(f"{question} [y/N] ", end="", file=sys.stderr, flush=True)
    try:
        answer = input()
    except EOFError:
        return False
    return answer.strip().lower() in {"y", "yes"}


def must_exist(settings: Settings, *, ledger: bool = False) -> None:
    """Refuse a data folder (or, with ``ledger``, its ledger) that is not there.

    On the embedded ledger only: a one-off command given a mistyped ``--data``
    would otherwise make a new folder whose key or ledger no running hub
    ever reads, and report success.

    Raises:
        CliError: naming the path and the settings that placed it.
    """
    if settings.database_url is not None:
        return
    if ledger:
        if not settings.ledger_path.is_file():
            raise CliError(f"no ledger at {settings.ledger_path} (--data, CERTHUB_DATA_DIR)")
    elif not settings.data_dir.is_dir():
        raise CliError(f"no data folder at {settings.data_dir} (--data, CERTHUB_DATA_DIR)")


def offline_settings(args: argparse.Namespace) -> Settings:
    """Settings of a sub-command that writes the ledger beside a running hub.

    ``--data`` and ``--database-url`` override the environment; the rest makes
    it a quiet writer: no helper process, no ministry pull, no metrics port.
    """
    overrides = {"data_dir": args.data, "database_url": args.database_url}
    return Settings(
        **{k: v for k, v in overrides.items() if v is not None},
        role="ingress",  # queue deliveries for the hub's workers; deliver nothing from here
        signature_helper=False,
        ministry_pull_seconds=0,
        metrics_port=None,
    )


@asynccontextmanager
async def started_hub(settings: Settings) -> AsyncIterator[web.Application]:
    """The hub's resources started without its HTTP server, stopped on leaving.

    The hub's own start-up (keys, trust store, ledger, procedure, the partition
    queue), so a one-off command records through the same path as the hub.
    """
    # Imported here: ``certhub --help`` and the other commands need none of this.
    from aiohttp import web
    from prometheus_client import CollectorRegistry

    from certhub.hub.runtime.app import create_app

    runner = web.AppRunner(create_app(settings, registry=CollectorRegistry()))
    await runner.setup()
    try:
        yield runner.app
    finally:
        await runner.cleanup()
