"""``certhub serve --processes 2``: two HTTP processes on one port, one ledger, one audit chain.

Real processes, real sockets. Every certification pushed must be in the
ledger once, with a receipt whose sequence no other message got, whichever
process answered; both processes must have answered; its delivery must reach
the ministry once. An ingress process killed with SIGKILL is started again,
and pushes through it go on. On SQLite the first process stays the only
writer (the ingress process hands it its appends); on PostgreSQL both commit.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path

import aiohttp
import pytest
from proctree import children

from certhub.security import verify_receipt

from .kit import JOSE, Deployment, Message, push_all, until

pytestmark = pytest.mark.slow

MESSAGES = 400


def ingress_pids(parent: int) -> list[int]:
    """The ingress processes the first process started (not its signature helper)."""
    return [
        pid
        for pid in children(parent)
        if b"ingress_process" in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]


async def push_on_fresh_connections(url: str, messages: list[Message]) -> dict[str, dict]:
    """POST each message on a connection of its own; the receipt body and the answering
    process's correlation-id prefix, by message id."""
    answers: dict[str, dict] = {}
    connector = aiohttp.TCPConnector(force_close=True)
    async with aiohttp.ClientSession(connector=connector) as session:
        for message in messages:
            async with session.post(
                url + "/v1/certifications", data=message.token, headers=JOSE
            ) as r:
                assert r.status == 202, await r.text()
                body = await r.json()
                body["process"] = r.headers["X-Request-ID"].split("-")[0]
                answers[message.message_id] = body
    return answers


async def exercise(deployment: Deployment) -> None:
    """The scenario, on either ledger."""
    hub = deployment.process("hub", CERTHUB_PROCESSES="2")
    hub.start()
    await hub.ready()
    assert hub.process is not None
    await until(lambda: _answering(hub.url, 2), 60, "both processes answering")
    messages = deployment.parties.certifications(MESSAGES + 40)

    answers = await push_on_fresh_connections(hub.url, messages[:40])
    assert len({answer["process"] for answer in answers.values()}) == 2  # both answered
    log = await push_all(hub.url, messages[40:240], concurrency=16)

    # SIGKILL the ingress process: it is started again and pushes go on through both
    (victim,) = ingress_pids(hub.process.pid)
    os.kill(victim, signal.SIGKILL)
    await until(lambda: _true(ingress_pids(hub.process.pid) not in ([], [victim])), 30, "restarted")
    await push_all(hub.url, messages[240:], concurrency=16, log=log)
    assert log.accepted == {m.message_id for m in messages[40:]}, log.refused

    # one ledger: every message once, sequences distinct and gap-free, receipts for them
    ledger = await deployment.ledger_counts()
    assert set(ledger.values()) == {1}
    assert len(ledger) == len(messages)
    rows = await deployment.query("SELECT sequence FROM ledger ORDER BY sequence")
    sequences = [int(row[0]) for row in rows]
    assert sequences == list(range(sequences[0], sequences[0] + len(sequences)))
    jwks = await _hub_keys(hub.url)
    seen = set()
    for answer in answers.values():
        claims = verify_receipt(answer["receipt"], jwks, hub_id="certhub")
        seen.add(claims["ledger_sequence"])
    assert len(seen) == len(answers)

    expected = {m.delivery_id for m in messages if m.delivery_id}
    await deployment.drained(expected, seconds=90)
    assert deployment.ministry.effects == expected
    audit = deployment.cli("audit", "verify")
    assert audit.returncode == 0, audit.stdout + audit.stderr

    # SIGTERM: the ingress process stops first, then the writer; nothing is left behind,
    # and neither had to end itself with its stop unfinished (its log would say on what)
    children = ingress_pids(hub.process.pid)
    hub.stop()
    assert hub.process.returncode == 0, hub.tail(80)
    assert '"stop_forced"' not in hub.log_path.read_text(), hub.tail(80)
    assert all(_gone(pid) for pid in children)
    assert not (deployment.data_dir / "ledger-writer.sock").exists()


async def _answering(url: str, processes: int) -> bool:
    """Whether health checks on fresh connections have reached ``processes`` processes."""
    seen = set()
    connector = aiohttp.TCPConnector(force_close=True)
    async with aiohttp.ClientSession(connector=connector) as session:
        for _ in range(20):
            async with session.get(url + "/healthz") as answer:
                seen.add(answer.headers["X-Request-ID"].split("-")[0])
    return len(seen) >= processes


async def _hub_keys(url: str) -> dict:
    async with aiohttp.ClientSession() as session, session.get(url + "/.well-known/jwks.json") as r:
        return await r.json()


async def _true(value: bool) -> bool:
    return value


def _gone(pid: int) -> bool:
    """Exited: no such process, or a zombie waiting for its (exited) parent's reaper."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] == "Z"
    except FileNotFoundError:
        return True


async def test_two_http_processes_on_sqlite_share_one_writer(
    deployment_factory: Callable[..., Deployment],
) -> None:
    await exercise(deployment_factory())


async def test_two_http_processes_on_postgresql_both_commit(
    deployment_factory: Callable[..., Deployment], pg_database: str
) -> None:
    await exercise(deployment_factory(database_url=pg_database))
