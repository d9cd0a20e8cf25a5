"""Three hub processes with separate data folders are one hub on PostgreSQL + RabbitMQ.

Two ``certhub serve --role ingress`` processes and one ``--role worker``, each
with its own data folder (only the trust store and the deployment key are
provisioned alike, as on three machines), share one database and one
broker. Through each process, the test checks what issue 16 found broken:
every receipt verifies against the deployment's JWK Set as that process
publishes it (before and after a key rotation), a pull started on one
continues on the other, evidence uploaded through one reads through the
other, every certification is delivered exactly once by the worker, and
``certhub audit verify`` passes in each process's environment and in an
empty folder. Last, the ministry pull runs in exactly one process, and
another takes it over when that one is killed.
"""

from __future__ import annotations

import asyncio
import hashlib
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import pytest
from evidence_samples import jpeg, png

from certhub.hub.core.leader import LEADER_LOCK_CLASS
from certhub.security import issue_read_token, parse_compact, verify_receipt
from tests.reliability.kit import (
    JOSE,
    SENDER,
    Deployment,
    HubProcess,
    Message,
    Parties,
    metric,
    until,
)

pytestmark = pytest.mark.slow

PER_INGRESS = 40
Session = aiohttp.ClientSession


@pytest.fixture
def deployment_env() -> dict[str, str]:
    """The ministry pull is the singleton under test: one round while a process leads."""
    return {"CERTHUB_MINISTRY_PULL_SECONDS": "3600"}


def bearer(parties: Parties, scope: str = "read") -> dict[str, str]:
    """An Authorization header of the channel's token."""
    return {"Authorization": f"Bearer {issue_read_token(parties.key, sender=SENDER, scope=scope)}"}


async def push(session: Session, hub: HubProcess, messages: list[Message]) -> list[str]:
    """POST each certification through ``hub``; their receipts."""
    receipts = []
    for message in messages:
        async with session.post(
            hub.url + "/v1/certifications", data=message.token, headers=JOSE
        ) as answer:
            assert answer.status == 202, await answer.text()
            receipts.append((await answer.json())["receipt"])
    return receipts


async def jwks_of(session: Session, hub: HubProcess) -> dict[str, Any]:
    """The JWK Set ``hub`` publishes."""
    async with session.get(hub.url + "/.well-known/jwks.json") as answer:
        assert answer.status == 200
        body: dict[str, Any] = await answer.json()
        return body


def kid_of(receipt: str) -> str:
    """The ``kid`` a compact JWS names."""
    return parse_compact(receipt.encode()).kid


async def pull_all(session: Session, hubs: list[HubProcess], parties: Parties) -> list[Any]:
    """Every certification, page by page, each page through the next process (one cursor)."""
    items: list[Any] = []
    cursor: str | None = None
    for page in range(10_000):
        hub = hubs[page % len(hubs)]
        query = {"limit": "25", **({"after": cursor} if cursor else {})}
        async with session.get(
            hub.url + "/v1/certifications", params=query, headers=bearer(parties)
        ) as answer:
            assert answer.status == 200, await answer.text()
            body = await answer.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if not body["has_more"]:
            return items
    raise AssertionError("the pull never ended")


async def upload(
    session: Session, hub: HubProcess, parties: Parties, data: bytes, kind: str
) -> str:
    """Store evidence through ``hub``; its digest."""
    headers = {"Content-Type": kind, **bearer(parties, scope="evidence")}
    async with session.post(hub.url + "/v1/evidence", data=data, headers=headers) as answer:
        assert answer.status == 201, await answer.text()
        digest: str = (await answer.json())["sha256"]
        return digest


async def download(session: Session, hub: HubProcess, parties: Parties, digest: str) -> bytes:
    """Read evidence through ``hub``."""
    url = f"{hub.url}/v1/evidence/{digest}"
    async with session.get(url, headers=bearer(parties)) as answer:
        assert answer.status == 200, await answer.text()
        return await answer.read()


def audit(env: dict[str, str], cwd: Path, *args: str) -> str:
    """``certhub audit verify`` in ``env``; its output (it must pass)."""
    done = subprocess.run(
        [sys.executable, "-m", "certhub.hub.cli.main", "audit", "verify", *args],
        env=env, cwd=cwd, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


async def leader_pid(url: str) -> int | None:
    """The process holding the ministry pull's leader lock, by its session's name."""
    conn = await asyncpg.connect(url)
    try:
        names = await conn.fetch(
            "SELECT a.application_name FROM pg_locks AS l JOIN pg_stat_activity AS a USING (pid)"
            " WHERE l.locktype = 'advisory' AND l.classid = $1"
            " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND l.objsubid = 2 AND l.granted",
            LEADER_LOCK_CLASS,
        )
    finally:
        await conn.close()
    assert len(names) <= 1, names
    return int(names[0][0].rsplit(" ", 1)[1]) if names else None


async def test_two_ingress_and_a_worker_on_separate_folders_are_one_hub(
    deployment: Deployment, pg_database: str
) -> None:
    started = time.monotonic()
    first = deployment.start_with_own_folder("ingress-a", "ingress")
    await first.ready()  # migrates the empty database and makes the deployment's keys
    second = deployment.start_with_own_folder("ingress-b", "ingress")
    worker = deployment.start_with_own_folder("worker", "worker")
    await asyncio.gather(second.ready(), worker.ready())
    ingress = [first, second]
    parties = deployment.parties
    messages = parties.certifications(2 * PER_INGRESS + 20)
    messages, later = messages[: 2 * PER_INGRESS], messages[2 * PER_INGRESS :]

    async with Session(timeout=aiohttp.ClientTimeout(total=30)) as session:
        # Receipts: each process's verify against each process's JWK Set: one identity.
        receipts = await push(session, first, messages[:PER_INGRESS])
        receipts += await push(session, second, messages[PER_INGRESS:])
        published = [await jwks_of(session, hub) for hub in ingress]
        assert published[0] == published[1]
        for jwks in published:
            for receipt in receipts:
                verify_receipt(receipt, jwks, hub_id="certhub")
        assert len({kid_of(r) for r in receipts}) == 1

        # A pull paged alternately through both processes sees each record once.
        items = await pull_all(session, ingress, parties)
        assert [i["message_id"] for i in items] == [m.message_id for m in messages]
        for item in items:
            verify_receipt(item["receipt"], published[1], hub_id="certhub")

        # Evidence stored through one process reads through the other, byte for byte.
        photo, scan = jpeg("on-site photo, process a"), png(90, "ID card, process b")
        stored = {
            await upload(session, first, parties, photo, "image/jpeg"): photo,
            await upload(session, second, parties, scan, "image/png"): scan,
        }
        for digest, data in stored.items():
            assert digest == hashlib.sha256(data).hexdigest()
            for hub in ingress:
                assert await download(session, hub, parties, digest) == data

        # A rotation: published by every process first, signing only from its time on.
        old_kid = kid_of(receipts[0])
        # (a CLI run in a thread: the counting ministry answers on this event loop)
        rotated = await asyncio.to_thread(deployment.cli, "keys", "rotate", "--activate-in", "15")
        assert rotated.returncode == 0, rotated.stderr
        new_kid = rotated.stdout.split()[4].rstrip(":")
        rotated_at = time.monotonic()

        async def everyone_publishes() -> bool:
            sets = [await jwks_of(session, hub) for hub in ingress]
            return all({k["kid"] for k in s["keys"]} >= {old_kid, new_kid} for s in sets)

        await until(everyone_publishes, 14, "the new key published by every process")
        assert time.monotonic() - rotated_at < 15  # published before it signs anything
        receipts_after: list[str] = []

        async def both_sign_with_the_new_key() -> bool:
            batch = [later.pop(), later.pop()]
            signed = await push(session, first, batch[:1]) + await push(session, second, batch[1:])
            receipts_after.extend(signed)
            return {kid_of(r) for r in signed} == {new_kid}

        await until(both_sign_with_the_new_key, 30, "the new key signs in both", pause=5)
        for hub in ingress:
            jwks = await jwks_of(session, hub)
            for receipt in receipts + receipts_after:  # old receipts stay verifiable
                verify_receipt(receipt, jwks, hub_id="certhub")

    # Every certification is delivered exactly once, by the worker only.
    pushed = len(messages) + len(receipts_after)
    expected = set(await deployment.outbox_states())
    assert len(expected) == pushed
    await deployment.drained(expected, seconds=90)
    assert deployment.ministry.effects == expected
    assert deployment.ministry.repeated == {}
    delivered = metric(await worker.metrics(), "certhub_deliveries_total", outcome="delivered")
    assert delivered == pushed
    for hub in ingress:
        assert metric(await hub.metrics(), "certhub_deliveries_total") == 0

    # The audit chain verifies in each process's environment, and with no data folder at all.
    for hub in [*ingress, worker]:
        assert "OK" in await asyncio.to_thread(audit, hub.env, deployment.work)
    bare = deployment.work / "empty"
    bare.mkdir()
    env = {k: v for k, v in worker.env.items() if k != "CERTHUB_DATA_DIR"}
    trust = str(deployment.work / "data-worker" / "trust.jwks.json")
    output = await asyncio.to_thread(audit, env, bare, "--trust-store", trust)
    assert f"ledger records {pushed}" in output
    assert list(bare.iterdir()) == []  # nothing was made there

    # The ministry pull runs in one process; killing it moves the pull to another.
    pids = {hub.process.pid: hub for hub in deployment.processes if hub.process is not None}

    async def led() -> bool:
        return await leader_pid(pg_database) in pids

    await until(led, 10, "a ministry-pull leader")
    leader = pids[await leader_pid(pg_database) or 0]
    leader.kill9()
    pids = {pid: hub for pid, hub in pids.items() if hub is not leader}
    took = await until(led, 15, "a new ministry-pull leader")
    print(f"\n[deployment] {pushed} certifications, leader moved in {took:.1f} s,"
          f" whole test {time.monotonic() - started:.0f} s", file=sys.stderr)  # fmt: skip
