"""Pre-flight of ``certhub serve`` for what a deployment shares (role, deployment key).

Part of :func:`certhub.hub.cli.serve.preflight`: each refusal is one
``certhub: error: …`` line and exit 2, before anything is created.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from certhub.hub.cli.common import CliError, one_line
from certhub.hub.core.settings import Settings
from certhub.hub.store import StoreUnavailable
from certhub.hub.store.postgres.keys import (
    DeploymentKeyError,
    check_deployment_key,
    deployment_key_path,
    load_deployment_key,
)

__all__ = ["check_deployment", "key_folder_variable", "must_be_makeable"]


def check_deployment(settings: Settings) -> None:
    """Refuse a role the ledger cannot serve, and a deployment key that cannot open its keys.

    Raises:
        CliError: in one line.
    """
    if settings.database_url is None:
        if settings.role == "ingress":
            raise CliError(
                "role ingress needs the PostgreSQL ledger (CERTHUB_DATABASE_URL): on the"
                " embedded SQLite ledger no worker could ever deliver its outbox"
            )
        return
    url = settings.database_url.get_secret_value()
    path = deployment_key_path(settings.secrets_dir, settings.data_dir)
    variable = key_folder_variable(settings)
    missing = not path.exists()
    if missing:  # made at start-up, once the database is known to be reachable and keyless
        must_be_makeable(path, "deployment key", variable)
    try:
        key = None if missing else load_deployment_key(path, create=False)
        asyncio.run(check_deployment_key(url, key))
    except DeploymentKeyError as exc:
        absent = f"no deployment key at {path}: " if missing else ""
        raise CliError(f"{absent}{one_line(exc)} ({variable})") from None
    except StoreUnavailable as exc:
        raise CliError(one_line(exc)) from None


def key_folder_variable(settings: Settings) -> str:
    """The setting that placed a key file, to name in a refusal."""
    return "CERTHUB_SECRETS_DIR" if settings.secrets_dir is not None else "CERTHUB_DATA_DIR"


def must_be_makeable(path: Path, what: str, variable: str) -> None:
    """The folder start-up would make ``path`` in must take it (a first process makes the key).

    Raises:
        CliError: naming ``what`` is missing and ``variable``, the setting that placed it.
    """
    folder = path.parent
    while not folder.exists() and folder != folder.parent:  # start-up makes the rest
        folder = folder.parent
    # the check start-up's mkdir and create would fail: a folder we may write into
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise CliError(
            f"{what} {path} is missing and cannot be made there ({variable}):"
            f" {folder} is not a writable folder"
        )
