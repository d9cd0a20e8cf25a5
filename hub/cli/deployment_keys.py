"""``certhub keys rotate``; the deployment's keys for ``audit verify`` and evidence rotation.

With PostgreSQL as the ledger, the hub's keys live in the database, sealed
under the deployment key (:mod:`certhub.hub.store.postgres.keys`): rotating
one is a new generation there, published by every process within
:data:`~certhub.hub.store.postgres.shared.REFRESH_SECONDS` and used from
``--activate-in`` seconds on (default
:data:`~certhub.hub.store.postgres.shared.ROTATION_GRACE_SECONDS`), so no
verifier meets a signature before the key is in ``/.well-known/jwks.json``.
On the embedded ledger the key folder rotates, for the next start.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from certhub.hub.cli.common import CliError, must_exist
from certhub.hub.core.settings import Settings
from certhub.hub.evidence.keys import new_key_id
from certhub.hub.ingress.inbound import adapter_sender
from certhub.hub.store.postgres.commit import connect_pool
from certhub.hub.store.postgres.keys import (
    DeploymentKeyStore,
    NewKey,
    deployment_key_path,
    load_deployment_key,
)
from certhub.hub.store.postgres.shared import (
    EVIDENCE,
    HUB_SIGNING,
    ROTATION_GRACE_SECONDS,
    adapter_purpose,
)
from certhub.hub.store.postgres.trust import TRUST_KEY, DatabaseTrustStore, merged
from certhub.security import HubKeyring, SigningKey, TrustStore, VerifyingKey

__all__ = [
    "add_hub_key_commands",
    "deployment_verification_keys",
    "rotate_evidence_key",
    "settings_for",
]

T = TypeVar("T")


def add_hub_key_commands(keys: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``certhub keys rotate``."""
    rotate = keys.add_parser("rotate", help="make a new hub signing key; old ones stay published")
    rotate.add_argument("--data", type=Path, help="data folder (CERTHUB_DATA_DIR)")
    rotate.add_argument("--database-url", help="the deployment's database (CERTHUB_DATABASE_URL)")
    rotate.add_argument(
        "--activate-in",
        type=float,
        default=ROTATION_GRACE_SECONDS,
        metavar="SECONDS",
        help=f"sign with it from this many seconds on (default {ROTATION_GRACE_SECONDS:g}:"
        " every process publishes it first)",
    )
    rotate.set_defaults(command=keys_rotate)


def settings_for(args: argparse.Namespace) -> Settings:
    """Settings with the command's ``--data`` and ``--database-url`` over the environment's."""
    given: dict[str, object] = {}
    if getattr(args, "data", None) is not None:
        given["data_dir"] = args.data
    if getattr(args, "database_url", None):
        given["database_url"] = args.database_url
    return Settings(**given)  # type: ignore[arg-type]  # pydantic coerces str to SecretStr


def keys_rotate(args: argparse.Namespace) -> int:
    """Rotate the hub's signing key (the deployment's, or the data folder's)."""
    if args.activate_in < 0:
        raise CliError("--activate-in must be 0 or more seconds")
    settings = settings_for(args)
    if settings.database_url is None:
        must_exist(settings)
        key = HubKeyring.load_or_create(settings.keys_dir).rotate()
        folder = settings.keys_dir
        print(f"new hub signing key {key.kid} in {folder}; restart the hub to sign with it")
        return 0
    active_from = time.time() + args.activate_in
    new = NewKey.signing(SigningKey.generate())
    _with_store(
        settings, settings.database_url.get_secret_value(),
        lambda store: store.add(HUB_SIGNING, new, active_from=active_from),
    )  # fmt: skip
    when = datetime.fromtimestamp(active_from, UTC).isoformat(timespec="seconds")
    print(f"new hub signing key {new.kid}: published now, signs from {when}")
    return 0


def rotate_evidence_key(settings: Settings, url: str) -> str:
    """A new evidence key of the deployment at ``url``, sealing after the grace period; its id."""
    new = NewKey.random(new_key_id())
    active_from = time.time() + ROTATION_GRACE_SECONDS
    _with_store(settings, url, lambda store: store.add(EVIDENCE, new, active_from=active_from))
    return new.kid


async def deployment_verification_keys(
    settings: Settings, url: str
) -> tuple[dict[str, VerifyingKey], TrustStore] | None:
    """The hub's public keys and the deployment's trust store, with the inbound adapters' keys.

    Read from the database without changing it; each key is authenticated by
    opening its seal with the deployment key, so a key slipped into the
    table cannot vouch for forged records. None when no deployment key is
    provisioned (a ledger written before the keys moved to the database).
    """
    path = deployment_key_path(settings.secrets_dir, settings.data_dir)
    if not path.exists():
        return None
    key = await asyncio.to_thread(load_deployment_key, path, create=False)
    pool = await connect_pool(url, 1, {"default_transaction_read_only": "on"})
    try:
        store = DeploymentKeyStore(pool, key)
        hub = await store.keys(HUB_SIGNING)
        adapters = await store.keys_under(adapter_purpose(""))
        shared_trust = None
        if trust_key := await store.keys(TRUST_KEY):  # the senders enrolled or added there
            shared_trust = (await DatabaseTrustStore(pool, trust_key[0].secret).load())[1]
    finally:
        await pool.close()
    path = settings.trust_store_path
    trust = TrustStore.load(path) if path.exists() else TrustStore.empty()
    if shared_trust is not None:
        trust = merged(shared_trust, trust)
    known = {entry.key.kid for entry in trust}
    for stored in adapters:
        if stored.public_jwk is not None and stored.kid not in known:
            name = stored.purpose.removeprefix(adapter_purpose(""))
            trust = trust.add(stored.public_jwk, sender=adapter_sender(name), may_send=[])
    hub_keys = {k.kid: VerifyingKey.from_jwk(k.public_jwk) for k in hub if k.public_jwk}
    return hub_keys, trust


def _with_store(
    settings: Settings, url: str, use: Callable[[DeploymentKeyStore], Awaitable[T]]
) -> T:
    path = deployment_key_path(settings.secrets_dir, settings.data_dir)

    async def run() -> T:
        store = await DeploymentKeyStore.open(url, load_deployment_key(path, create=False))
        try:
            return await use(store)
        finally:
            await store.aclose()

    return asyncio.run(run())
