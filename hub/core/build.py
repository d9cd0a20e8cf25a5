"""Which certhub is running: the package version and the source commit.

The version is the installed distribution's (``importlib.metadata``), so
``certhub --version``, ``certhub_build_info`` and OpenAPI's ``info.version``
all say the same. The commit is what a deployment sets
(``CERTHUB_BUILD_COMMIT``, see :class:`~certhub.hub.core.settings.Settings`),
else the git commit of the source checkout certhub runs from, else
``unknown`` (an installed wheel with nothing set).
"""

from __future__ import annotations

import functools
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

__all__ = ["UNKNOWN_COMMIT", "build_commit", "package_version"]

UNKNOWN_COMMIT = "unknown"


def package_version() -> str:
    """The installed certhub version, ``0+unknown`` from a source tree never installed."""
    try:
        return version("certhub")
    except PackageNotFoundError:
        return "0+unknown"


def build_commit(configured: str | None = None) -> str:
    """``configured`` if given, else the checkout's ``HEAD``, else ``unknown``."""
    return configured or _checkout_commit() or UNKNOWN_COMMIT


@functools.cache
def _checkout_commit() -> str | None:
    """The commit of the git checkout holding this file (once per process; ~2 ms)."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--verify", "HEAD"],  # noqa: S607 -- git from PATH is the point
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):  # no git on the host, or it hung
        return None
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and len(commit) == 40 else None
