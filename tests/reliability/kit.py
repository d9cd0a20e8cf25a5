"""The reliability kit: real hub processes, a counting department, real RabbitMQ and PostgreSQL.

Every test here starts ``certhub serve`` as subprocesses (own ports, own data
folder, own PostgreSQL database, own RabbitMQ prefix) and points the ministry
uplink at :class:`CountingMinistry`, a tiny aiohttp server in the test process
that records *every* call per ``Idempotency-Key`` — it never hides a repeat.
A self-service certification pushed by the ``channel`` party causes exactly
one ministry delivery, whose id the test computes from the message id (as
:func:`certhub.hub.procedure.uplink.uplink_delivery` does).

Fixtures hand out the kit's objects; everything they start is stopped, and
every queue, exchange and database they create is deleted, even when a test
fails. Each wait is bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import re
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import aio_pika
import aiohttp
import asyncpg
from aiohttp import web
from deliverykit import AMQP_URL, delete_topology
from hubkit import app_event
from ports import free_port
from proctree import descendants

from certhub.mocks.population import Population
from certhub.security import SigningKey, TrustStore, sign_compact

SENDER = "channel"
STOP_GRACE = 15.0  # seconds a hub process has to stop after SIGTERM before it is killed
JOSE = {"Content-Type": "application/jose"}
CST = timezone(timedelta(hours=8))

# Fast but faithful timings: short leases, polls and backoffs; same code paths.
FAST: dict[str, str] = {
    "CERTHUB_LOG_LEVEL": "WARNING",
    "CERTHUB_MINISTRY_PULL_SECONDS": "0",
    "CERTHUB_DELIVERY_POLL_SECONDS": "0.2",
    "CERTHUB_DELIVERY_LEASE_SECONDS": "3",
    "CERTHUB_DELIVERY_BACKOFF_INITIAL": "0.5",
    "CERTHUB_DELIVERY_BACKOFF_MAX": "2",
    "CERTHUB_TRUST_RELOAD_SECONDS": "30",
}


def delivery_id_of(message_id: str) -> str:
    """The ministry uplink delivery id of a certification from :data:`SENDER`."""
    key = hashlib.sha256(f"{SENDER}\0{message_id}".encode()).hexdigest()[:40]
    return f"uplink:{key}"


async def until(
    predicate: Callable[[], Awaitable[bool]], seconds: float, what: str, pause: float = 0.2
) -> float:
    """Wait for ``predicate``; how long it took. Fails the test past ``seconds``."""
    started = time.monotonic()
    while not await predicate():
        assert time.monotonic() - started < seconds, f"{what}: not reached in {seconds} s"
        await asyncio.sleep(pause)
    return time.monotonic() - started


# --- the counting department --------------------------------------------------------------


@dataclass
class CountingMinistry:
    """The ministry's push endpoint, counting every call per delivery id.

    The ministry's wire contract is idempotent by ``Idempotency-Key`` (a repeat
    answers 200 with ``duplicate: true``), so a repeated *call* is allowed;
    a repeated *effect* is not. ``accepted`` counts successful calls per key
    (the first is the effect), ``refused`` the calls answered 503 while failing.
    """

    failing: bool = False
    accepted: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    url: str = ""
    _runner: web.AppRunner | None = None

    @property
    def effects(self) -> set[str]:
        """Delivery ids the ministry recorded (distinct effects)."""
        return set(self.accepted)

    @property
    def repeated(self) -> dict[str, int]:
        """Delivery ids called successfully more than once, with their call counts."""
        return {key: n for key, n in self.accepted.items() if n > 1}

    async def start(self) -> str:
        """Listen on a free loopback port; the base URL."""
        app = web.Application()
        app.router.add_post("/api/v1/provincial-results", self._push)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def aclose(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()

    async def _push(self, request: web.Request) -> web.Response:
        key = request.headers.get("Idempotency-Key", "")
        await request.read()
        if not re.fullmatch(r"[A-Za-z0-9_.:-]{1,128}", key):
            return web.json_response({"title": "bad Idempotency-Key"}, status=400)
        if self.failing:
            self.refused[key] += 1
            return web.json_response({"title": "maintenance"}, status=503)
        self.accepted[key] += 1
        acceptance = {
            "slbh": f"SL{len(self.accepted):010d}",
            "slsj": datetime.now(CST).isoformat(timespec="seconds"),
            "duplicate": self.accepted[key] > 1,
        }
        return web.json_response(acceptance, status=201 if self.accepted[key] == 1 else 200)


# --- signed messages ------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """One signed message; ``delivery_id`` is None for a deliberately invalid one."""

    message_id: str
    token: bytes
    delivery_id: str | None


class Parties:
    """The certification channel that pushes self-service certifications."""

    def __init__(self) -> None:
        """A fresh key."""
        self.key = SigningKey.generate()
        self.population = Population(seed=int.from_bytes(secrets.token_bytes(4), "big"))
        self.run = secrets.token_hex(4)

    def trust_store(self) -> TrustStore:
        """The hub's trust store: the channel may send certification events."""
        return TrustStore.empty().add(
            self.key.public_jwk(),
            sender=SENDER,
            may_send=["certification_event/v1"],
            may_read=True,
            role="channel",
        )

    def certifications(self, count: int, *, invalid_every: int = 0) -> list[Message]:
        """``count`` self-service certifications (each causes one ministry delivery), with
        every ``invalid_every``-th one broken (a payload failing validation: answered 422)."""
        messages = []
        occurred = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
        for n in range(count):
            message_id = f"{self.run}-{n:06d}"
            payload = app_event(self.population.person(), occurred)
            broken = invalid_every and n % invalid_every == invalid_every - 1
            if broken:
                payload["outcome"] = "not-an-outcome"
            body = json.dumps(payload, ensure_ascii=False).encode()
            token = sign_compact(
                body, key=self.key, typ="certification_event/v1", sender=SENDER, jti=message_id
            )
            delivery = None if broken else delivery_id_of(message_id)
            messages.append(Message(message_id, token, delivery))
        return messages


@dataclass
class PushLog:
    """What the hub answered, by message id (the last definitive answer)."""

    accepted: set[str] = field(default_factory=set)
    refused: dict[str, int] = field(default_factory=dict)  # message id -> final error status
    transport_errors: int = 0  # connection refused/reset: resent with the same token
    overloaded: int = 0  # 429/503 answers: resent after Retry-After

    @property
    def answered(self) -> int:
        """Messages with a definitive answer."""
        return len(self.accepted) + len(self.refused)


async def push_all(
    base_url: str | Callable[[], str],
    messages: Iterable[Message],
    *,
    concurrency: int = 24,
    log: PushLog | None = None,
    deadline: float = 120.0,
    path: str = "/v1/certifications",
) -> PushLog:
    """POST every message like a well-behaved sender: a lost connection or a 429/503 is
    resent with the same token (the ledger deduplicates); anything else is final."""
    log = log or PushLog()
    pending = list(messages)
    pending.reverse()
    stop_at = time.monotonic() + deadline
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def sender() -> None:
            while pending:
                message = pending.pop()
                while True:
                    assert time.monotonic() < stop_at, "pushing took too long"
                    url = (base_url() if callable(base_url) else base_url) + path
                    try:
                        async with session.post(url, data=message.token, headers=JOSE) as answer:
                            await answer.read()
                            status = answer.status
                            retry_after = float(answer.headers.get("Retry-After", "0.2"))
                    except (aiohttp.ClientError, OSError, TimeoutError):
                        log.transport_errors += 1
                        await asyncio.sleep(0.2)
                        continue
                    if status in (429, 503):
                        log.overloaded += 1
                        await asyncio.sleep(min(retry_after, 1.0))
                        continue
                    if status == 202:
                        log.accepted.add(message.message_id)
                    else:
                        log.refused[message.message_id] = status
                    break

        await asyncio.gather(*(sender() for _ in range(concurrency)))
    return log


# --- hub processes --------------------------------------------------------------------------


class HubProcess:
    """One ``certhub serve`` subprocess."""

    def __init__(self, name: str, role: str, env: dict[str, str], work: Path) -> None:
        """Not started yet; ``start`` runs it."""
        self.name = name
        self.role = role
        self.port = free_port()
        self.env = env
        self.work = work
        self.log_path = work / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.kills = 0

    @property
    def url(self) -> str:
        """Base URL of its HTTP server."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start (again) on the same port."""
        command = [sys.executable, "-m", "certhub.hub.cli.main", "serve", "--role", self.role]
        command += ["--port", str(self.port)]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, env=self.env, cwd=self.work, stdout=log, stderr=subprocess.STDOUT
            )

    async def ready(self, seconds: float = 60.0) -> None:
        """Wait until ``/readyz`` answers 200."""

        async def up() -> bool:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited {self.process.returncode}: {self.tail()}")
            try:
                async with (
                    aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session,
                    session.get(self.url + "/readyz") as answer,
                ):
                    return answer.status == 200
            except (aiohttp.ClientError, OSError, TimeoutError):
                return False

        await until(up, seconds, f"{self.name} ready")

    def kill9(self) -> None:
        """SIGKILL: no shutdown code runs."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.kills += 1

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it lingers (its log then says which of its processes did)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=STOP_GRACE)
        except subprocess.TimeoutExpired:
            self._note_lingering()
            self.process.kill()
            self.process.wait(timeout=10)

    def _note_lingering(self) -> None:
        """Append to the log each of its processes still running, with its state and wait."""
        assert self.process is not None
        notes = []
        for pid in [self.process.pid, *descendants(self.process.pid)]:
            proc = Path(f"/proc/{pid}")
            try:
                command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                state = (proc / "stat").read_text().rpartition(")")[2].split()[0]
                wchan = (proc / "wchan").read_text()
            except OSError:
                continue
            notes.append(f"[kit] pid {pid} still running {STOP_GRACE:.0f} s after SIGTERM"
                         f" (state {state}, waiting in {wchan or '-'}): {command}\n")  # fmt: skip
        with self.log_path.open("a") as log:
            log.writelines(notes)

    def tail(self, lines: int = 30) -> str:
        """The end of its log (for failure messages)."""
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    async def metrics(self) -> dict[str, float]:
        """Its ``/metrics`` as {``name{labels}``: value}."""
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session,
            session.get(self.url + "/metrics") as answer,
        ):
            text = await answer.text()
        return parse_metrics(text)


def parse_metrics(text: str) -> dict[str, float]:
    """Prometheus text format → {``name{labels}``: value} (labels as written)."""
    values = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        name, _, value = line.rpartition(" ")
        with contextlib.suppress(ValueError):
            values[name] = float(value)
    return values


def metric(values: dict[str, float], name: str, **labels: str) -> float:
    """Sum of the samples of ``name`` whose labels include ``labels``."""
    total = 0.0
    for key, value in values.items():
        base, _, rest = key.partition("{")
        if base != name:
            continue
        if all(f'{k}="{v}"' in rest for k, v in labels.items()):
            total += value
    return total


@dataclass
class Deployment:
    """One hub deployment under test: data folder, ledger, broker prefix, processes."""

    work: Path
    parties: Parties
    ministry: CountingMinistry
    database_url: str | None = None
    broker: str = "memory"
    amqp_url: str = AMQP_URL
    prefix: str = field(default_factory=lambda: f"rel-{secrets.token_hex(4)}")
    processes: list[HubProcess] = field(default_factory=list)
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def data_dir(self) -> Path:
        """The hub's data folder (shared by its processes: keys, trust store)."""
        return self.work / "data"

    def provision_secrets(self, **env: str) -> Path:
        """A secrets folder with a fresh deployment key (0600) for every process, plus ``env``."""
        folder = self.work / "secrets"
        folder.mkdir(mode=0o700)
        key = folder / "deployment.key"
        key.write_bytes(secrets.token_bytes(32))
        key.chmod(0o600)
        self.extra_env = {"CERTHUB_SECRETS_DIR": str(folder), **env}
        return folder

    def env(self, **overrides: str) -> dict[str, str]:
        """The environment of a hub process."""
        key_file = self.work / "ministry.jwk.json"
        if not key_file.exists():
            key_file.write_text(json.dumps(SigningKey.generate().public_jwk()))
        ministry = {
            "base_url": self.ministry.url,
            "department_key_path": str(key_file),
            "policy": {
                "max_attempts": 2,
                "attempt_timeout": 2,
                "deadline": 4,
                "backoff_initial": 0.05,
                "backoff_max": 0.2,
                "failure_threshold": 5,
                "reset_timeout": 2,
                "max_concurrent": 32,
                "max_waiting": 256,
            },
        }
        env = {k: v for k, v in os.environ.items() if not k.startswith("CERTHUB_")}
        env |= FAST | {
            "CERTHUB_DATA_DIR": str(self.data_dir),
            "CERTHUB_BROKER": self.broker,
            "CERTHUB_AMQP_URL": self.amqp_url,
            "CERTHUB_AMQP_PREFIX": self.prefix,
            "CERTHUB_ADAPTERS": json.dumps({"ministry": ministry}),
        }
        if self.database_url is not None:
            env["CERTHUB_DATABASE_URL"] = self.database_url
        return env | self.extra_env | overrides

    def process(self, name: str, role: str = "all", **env: str) -> HubProcess:
        """A hub process of this deployment (not started)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        trust = self.data_dir / "trust.jwks.json"
        if not trust.exists():
            self.parties.trust_store().save(trust)
        hub = HubProcess(name, role, self.env(**env), self.work)
        self.processes.append(hub)
        return hub

    def start_with_own_folder(
        self,
        name: str,
        role: str,
        *,
        trust: TrustStore | None = None,
        files: dict[str, str] | None = None,
    ) -> HubProcess:
        """Start a process with a data folder of its own, as on a machine of its own.

        Only what an operator provisions alike reaches it: the trust store (``trust``,
        by default the parties'), any other ``files`` (name → text) copied into its
        folder, and the secrets folder of :meth:`provision_secrets`.
        """
        folder = self.work / f"data-{name}"
        folder.mkdir()
        (trust or self.parties.trust_store()).save(folder / "trust.jwks.json")
        for file_name, text in (files or {}).items():
            (folder / file_name).write_text(text, encoding="utf-8")
        hub = HubProcess(name, role, self.env(CERTHUB_DATA_DIR=str(folder)), self.work)
        self.processes.append(hub)
        hub.start()
        return hub

    def cli(self, *args: str, seconds: float = 60.0) -> subprocess.CompletedProcess[str]:
        """Run ``certhub ARGS`` against this deployment."""
        return subprocess.run(
            [sys.executable, "-m", "certhub.hub.cli.main", *args],
            env=self.env(),
            cwd=self.work,
            capture_output=True,
            text=True,
            timeout=seconds,
            check=False,
        )

    # -- the ledger, read behind the hub's back --

    async def query(self, sql: str) -> list[tuple[Any, ...]]:
        """Rows of ``sql`` from the ledger (either backend)."""
        if self.database_url is not None:
            conn = await asyncpg.connect(self.database_url, timeout=10)
            try:
                return [tuple(row) for row in await conn.fetch(sql)]
            finally:
                await conn.close()

        def read() -> list[tuple[Any, ...]]:
            conn = sqlite3.connect(f"file:{self.data_dir / 'ledger.sqlite3'}?mode=ro", uri=True)
            try:
                conn.execute("PRAGMA busy_timeout=5000")
                return list(conn.execute(sql).fetchall())
            finally:
                conn.close()

        return await asyncio.to_thread(read)

    async def ledger_counts(self) -> Counter[str]:
        """How many ledger records each of the channel's message ids has."""
        rows = await self.query(
            "SELECT message_id, count(*) FROM ledger WHERE sender='channel' GROUP BY message_id"
        )
        return Counter({str(m): int(n) for m, n in rows})

    async def outbox_states(self) -> dict[str, str]:
        """Each ministry delivery's outbox state."""
        sql = "SELECT delivery_id, state FROM outbox WHERE destination='ministry'"
        rows = await self.query(sql)
        return {str(d): str(s) for d, s in rows}

    async def delivered_ids(self) -> set[str]:
        """Delivery ids recorded in the dispatcher's ``deliveries`` table."""
        return {str(row[0]) for row in await self.query("SELECT delivery_id FROM deliveries")}

    async def drained(self, expected: set[str], seconds: float) -> float:
        """Wait until every expected delivery is ``delivered``; how long it took."""

        async def done() -> bool:
            states = await self.outbox_states()
            return all(states.get(i) == "delivered" for i in expected)

        try:
            return await until(done, seconds, "outbox drained", pause=0.5)
        except AssertionError as exc:
            raise AssertionError(f"{exc}; {await self.diagnosis()}") from None

    async def diagnosis(self) -> str:
        """The outbox by state and the processes' last log lines (for failure messages)."""
        rows = await self.query(
            "SELECT state, count(*), min(attempts), max(attempts), min(next_attempt_at),"
            " max(last_error) FROM outbox GROUP BY state"
        )
        logs = "\n".join(f"--- {hub.name}:\n{hub.tail(15)}" for hub in self.processes)
        return f"outbox {rows} at {time.time():.0f}\n{logs}"

    async def aclose(self) -> None:
        """Stop every process, delete the broker topology and the database."""
        for hub in self.processes:
            hub.stop()
        if self.broker == "rabbitmq":
            await delete_topology(self.prefix)


async def queue_depth(prefix: str, suffix: str) -> int:
    """Messages ready in ``prefix.suffix``."""
    connection = await aio_pika.connect(AMQP_URL, timeout=10)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(f"{prefix}.{suffix}", passive=True)
        return int(queue.declaration_result.message_count or 0)


def report(title: str, **figures: object) -> None:
    """Print the figures a test proved (shown with ``-s`` or on failure)."""
    text = ", ".join(f"{k}={v}" for k, v in figures.items())
    print(f"\n[reliability] {title}: {text}", file=sys.stderr)


class TcpProxy:
    """A loopback TCP proxy in front of RabbitMQ that the test can cut and restore.

    Cutting aborts every proxied connection (both sides see the loss at once,
    as when the broker goes away) and refuses new ones until :meth:`restore`.
    """

    def __init__(self, upstream_port: int = 5672) -> None:
        """Forward to 127.0.0.1:``upstream_port``."""
        self.upstream_port = upstream_port
        self.port = 0
        self.cut_off = False
        self.refused = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def amqp_url(self) -> str:
        """The AMQP URL through the proxy."""
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    async def start(self) -> None:
        """Listen on a free loopback port."""
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])

    def cut(self) -> None:
        """Drop every connection now and refuse new ones."""
        self.cut_off = True
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    def restore(self) -> None:
        """Accept connections again."""
        self.cut_off = False

    async def aclose(self) -> None:
        """Stop listening and drop everything."""
        self.cut()
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.cut_off:
            self.refused += 1
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            writer.transport.abort()
            return
        self._writers |= {writer, up_writer}
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pipe(source, sink, writer, up_writer))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _pipe(
        self,
        source: asyncio.StreamReader,
        sink: asyncio.StreamWriter,
        *ends: asyncio.StreamWriter,
    ) -> None:
        try:
            while chunk := await source.read(65536):
                sink.write(chunk)
                await sink.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            for end in ends:
                end.transport.abort()
                self._writers.discard(end)
