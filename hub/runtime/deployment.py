"""Start-up of what a deployment shares: its identity, its evidence store and its singletons.

On the embedded ledger a hub is one process and one data folder: its keys,
cursor key and evidence live there (``SHARED`` is None). With PostgreSQL,
every process of the deployment takes them from the database instead
(:class:`~certhub.hub.store.postgres.shared.SharedIdentity`), re-reads them
every few seconds (rotations), stores evidence there, and contends for the
singletons' leader locks (:class:`~certhub.hub.core.leader.Leadership`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from certhub.hub.core.keys import EVIDENCE, LEADERSHIP, SETTINGS, SHARED
from certhub.hub.core.leader import Leadership
from certhub.hub.core.periodic import every, running
from certhub.hub.core.settings import Settings
from certhub.hub.evidence import EvidenceKeyring, evidence_key_folder, open_vault
from certhub.hub.evidence.keys import new_key_id
from certhub.hub.evidence.pg_store import DatabaseEvidenceVault
from certhub.hub.store import StoreUnavailable
from certhub.hub.store.postgres.keys import (
    DeploymentKeyStore,
    NewKey,
    deployment_key_path,
    load_deployment_key,
)
from certhub.hub.store.postgres.shared import REFRESH_SECONDS, FolderKeys, SharedIdentity
from certhub.hub.store.postgres.trust import DatabaseTrustStore

__all__ = [
    "database_url",
    "deployment_context",
    "evidence_context",
    "folder_keys",
    "open_identity",
    "shared_trust",
]

log = logging.getLogger(__name__)


def database_url(settings: Settings) -> str | None:
    """The PostgreSQL URL the settings name, if any."""
    url = settings.database_url
    return None if url is None else url.get_secret_value()


async def deployment_context(app: web.Application) -> AsyncIterator[None]:
    """Open the shared identity (PostgreSQL only) and the leadership, for the app's life."""
    settings = app[SETTINGS]
    url = database_url(settings)
    app[LEADERSHIP] = Leadership(url)
    if url is None:
        app[SHARED] = None
        yield
        return
    identity = await open_identity(settings, url)
    app[SHARED] = identity
    try:
        refresh = every(
            REFRESH_SECONDS, identity.refresh, what="deployment keys",
            expected=(StoreUnavailable,), wait_first=True,
        )  # fmt: skip
        async with running(refresh):
            yield
    finally:
        await identity.aclose()


async def open_identity(settings: Settings, url: str) -> SharedIdentity:
    """The deployment's keys from the database at ``url``, under the provisioned deployment key.

    Raises:
        DeploymentKeyError: no usable deployment key, or not the one the keys are sealed with.
        StoreUnavailable: the database cannot be reached.
    """
    path = deployment_key_path(settings.secrets_dir, settings.data_dir)
    key = await asyncio.to_thread(load_deployment_key, path)
    store = await DeploymentKeyStore.open(url, key)
    try:
        return await SharedIdentity.open(store, folder_keys(settings))
    except BaseException:
        await store.aclose()
        raise


async def shared_trust(identity: SharedIdentity | None) -> DatabaseTrustStore | None:
    """The deployment's trust store (PostgreSQL), on the key store's connections; else None."""
    return None if identity is None else await DatabaseTrustStore.open(identity.store)


def folder_keys(settings: Settings) -> FolderKeys:
    """The keys this process's folders hold from before, to hand to the database once."""
    folder = evidence_key_folder(settings)

    def evidence() -> list[NewKey]:
        if not (folder / "active").is_file():
            return []
        keyring = EvidenceKeyring.load(folder)
        ids = [*sorted(keyring.key_ids - {keyring.active_id}), keyring.active_id]
        return [NewKey(key_id, keyring.key(key_id)) for key_id in ids]

    return FolderKeys(settings.keys_dir, settings.cursor_key_path, evidence, new_key_id)


async def evidence_context(app: web.Application) -> AsyncIterator[None]:
    """The evidence vault: the data folder's, or the deployment database's (PostgreSQL).

    Moving to PostgreSQL, the blobs a folder vault holds are copied in, sealed
    as they are (their keys were handed to the deployment with the folder's).
    """
    settings = app[SETTINGS]
    identity = app[SHARED]
    url = database_url(settings)
    if identity is None or url is None:
        app[EVIDENCE] = await asyncio.to_thread(open_vault, settings)
        yield
        return
    vault = await DatabaseEvidenceVault.open(
        url, identity.evidence_keys, max_bytes=settings.evidence_max_bytes
    )
    try:
        copied = await vault.import_folder(settings.data_dir / "evidence")
        if copied:
            log.info("copied %d evidence blobs from the data folder to the database", copied)
        app[EVIDENCE] = vault
        yield
    finally:
        await vault.aclose()
