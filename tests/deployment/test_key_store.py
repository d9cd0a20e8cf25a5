"""The deployment's keys in PostgreSQL: one first key whoever starts first, sealed, rotated."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from certhub.hub.store.postgres.keys import (
    DeploymentKeyError,
    DeploymentKeyStore,
    NewKey,
    active_key,
    check_deployment_key,
    load_deployment_key,
)
from certhub.hub.store.postgres.shared import (
    HUB_SIGNING,
    PUBLISHED_SECONDS,
    FolderKeys,
    SharedHubKeyring,
    SharedIdentity,
)
from certhub.security import HubKeyring, SigningKey, VerifyingKey

KEY_A = bytes(range(32))
KEY_B = bytes(range(1, 33))


@pytest.fixture
async def store(pg_database: str) -> AsyncIterator[DeploymentKeyStore]:
    """The deployment's key store, sealed with ``KEY_A``; closed after the test."""
    opened = await DeploymentKeyStore.open(pg_database, KEY_A)
    yield opened
    await opened.aclose()


def no_folder(tmp_path: Path) -> FolderKeys:
    """A process whose folders hold no key of their own."""
    return FolderKeys(
        tmp_path / "keys", tmp_path / "cursor.key", lambda: [], lambda: "ek-test-00000000"
    )


async def test_processes_starting_together_share_one_first_key_of_each_kind(
    pg_database: str, tmp_path: Path
) -> None:
    stores = [await DeploymentKeyStore.open(pg_database, KEY_A) for _ in range(3)]
    try:
        identities = await asyncio.gather(
            *(SharedIdentity.open(store, no_folder(tmp_path)) for store in stores)
        )
        assert len({i.hub_keys.active.kid for i in identities}) == 1
        assert len({i.cursor_key for i in identities}) == 1
        assert len({i.evidence_keys.active_id for i in identities}) == 1
        assert {len(i.cursor_key) for i in identities} == {32}
        adapters = await asyncio.gather(*(i.adapter_key("ministry") for i in identities))
        assert len({key.kid for key in adapters}) == 1
        assert adapters[0].kid != identities[0].hub_keys.active.kid
    finally:
        for store in stores:
            await store.aclose()


async def test_a_row_sealed_under_another_deployment_key_refuses_to_open(
    pg_database: str, tmp_path: Path
) -> None:
    store = await DeploymentKeyStore.open(pg_database, KEY_A)
    await SharedIdentity.open(store, no_folder(tmp_path))
    await store.aclose()
    await check_deployment_key(pg_database, KEY_A)  # the right key passes
    with pytest.raises(DeploymentKeyError, match=r"same SECRETS_DIR/deployment\.key"):
        await check_deployment_key(pg_database, KEY_B)
    other = await DeploymentKeyStore.open(pg_database, KEY_B)
    try:
        with pytest.raises(DeploymentKeyError):
            await other.keys(HUB_SIGNING)
    finally:
        await other.aclose()


async def test_no_stored_private_key_is_readable_or_movable_without_the_deployment_key(
    pg_database: str, store: DeploymentKeyStore, tmp_path: Path
) -> None:
    identity = await SharedIdentity.open(store, no_folder(tmp_path))
    pem = identity.hub_keys.active.to_pem()
    conn = await asyncpg.connect(pg_database)
    try:
        rows = await conn.fetch("SELECT purpose, sealed FROM deployment_keys")
        assert rows
        assert all(pem not in bytes(row["sealed"]) for row in rows)
        assert all(identity.cursor_key not in bytes(row["sealed"]) for row in rows)
        # Give the hub key another's public half: the seal binds it, so it no longer opens.
        other = SigningKey.generate().public_jwk()
        await conn.execute(
            "UPDATE deployment_keys SET public_jwk = $1 WHERE purpose = $2",
            json.dumps(other, sort_keys=True),
            HUB_SIGNING,
        )
    finally:
        await conn.close()
    with pytest.raises(DeploymentKeyError):
        await store.keys(HUB_SIGNING)


async def test_a_rotation_is_published_at_once_and_signs_only_from_its_time(
    store: DeploymentKeyStore, tmp_path: Path
) -> None:
    identity = await SharedIdentity.open(store, no_folder(tmp_path))
    first = identity.hub_keys.active
    new = SigningKey.generate()
    start = time.time() + 30
    await store.add(HUB_SIGNING, NewKey.signing(new), active_from=start)
    keys = await store.keys(HUB_SIGNING)
    ring = SharedHubKeyring(keys)
    assert ring.active.kid == first.kid  # not yet: every process must publish it first
    assert [k["kid"] for k in ring.jwks()["keys"]] == [first.kid, new.kid]
    ring.update(keys, now=start)
    assert ring.active.kid == new.kid
    assert [k["kid"] for k in ring.jwks()["keys"]] == [new.kid, first.kid]  # old kept
    signature = ring.active.sign(b"receipt")
    jwk = next(k for k in ring.jwks()["keys"] if k["kid"] == new.kid)
    assert VerifyingKey.from_jwk(jwk).verify(signature, b"receipt")
    assert active_key(keys, start - 0.001).kid == first.kid  # type: ignore[union-attr]


async def test_a_folders_keys_join_the_deployment_and_stay_verifiable(
    store: DeploymentKeyStore, tmp_path: Path
) -> None:
    # The first process brings its folder's key: it becomes the deployment's.
    first = HubKeyring.load_or_create(tmp_path / "a" / "keys")
    retired = first.active
    first.rotate()
    folder_a = FolderKeys(
        tmp_path / "a" / "keys", tmp_path / "a" / "cursor.key", lambda: [], lambda: "ek-x"
    )
    identity = await SharedIdentity.open(store, folder_a)
    assert identity.hub_keys.active.kid == first.active.kid
    # A second folder made its own key before: kept to verify, never to sign.
    second = HubKeyring.load_or_create(tmp_path / "b" / "keys")
    folder_b = FolderKeys(
        tmp_path / "b" / "keys", tmp_path / "b" / "cursor.key", lambda: [], lambda: "ek-y"
    )
    again = await SharedIdentity.open(store, folder_b)
    assert again.hub_keys.active.kid == first.active.kid
    published = {k["kid"] for k in again.hub_keys.jwks()["keys"]}
    assert published == {first.active.kid, retired.kid, second.active.kid}
    rows = await store.keys(HUB_SIGNING)
    assert [r.secret == b"" for r in rows] == [True, False, True]  # only the signer's


def test_the_deployment_key_file_is_made_once_private_and_refused_when_short(
    tmp_path: Path,
) -> None:
    path = tmp_path / "secrets" / "deployment.key"
    key = load_deployment_key(path)
    assert len(key) == 32
    assert load_deployment_key(path) == key
    assert os.stat(path).st_mode & 0o777 == 0o600
    short = tmp_path / "short.key"
    short.write_bytes(b"x" * 31)
    short.chmod(0o600)
    with pytest.raises(DeploymentKeyError, match="holds 31 bytes; it needs 32"):
        load_deployment_key(short)
    with pytest.raises(DeploymentKeyError, match="cannot read"):
        load_deployment_key(tmp_path / "missing.key", create=False)
    path.chmod(0o640)
    with pytest.raises(DeploymentKeyError, match="chmod 600"):
        load_deployment_key(path)


async def test_a_rotation_active_at_once_signs_only_once_every_process_publishes_it(
    store: DeploymentKeyStore, tmp_path: Path
) -> None:
    """``keys rotate --activate-in 0`` (allowed: an operator in a hurry): the first process to
    re-read the keys signed with the new one at once, while the others, re-reading every
    ``REFRESH_SECONDS``, did not publish it yet — a verifier asking them refused the receipt."""
    first = await SharedIdentity.open(store, no_folder(tmp_path))
    other = await SharedIdentity.open(store, no_folder(tmp_path))  # has not re-read since
    old = first.hub_keys.active.kid
    now = time.time()
    await store.add(HUB_SIGNING, NewKey.signing(SigningKey.generate()), active_from=now)
    await first.refresh()
    published = {k["kid"] for k in other.hub_keys.jwks()["keys"]}
    assert first.hub_keys.active.kid in published
    assert first.hub_keys.active.kid == old
    keys = await store.keys(HUB_SIGNING)
    later = keys[-1].created_at + PUBLISHED_SECONDS  # every process re-read the keys by then
    first.hub_keys.update(keys, now=later)
    assert first.hub_keys.active.kid == keys[-1].kid != old
