"""Hostile clients against the HTTP edge, over real sockets on 127.0.0.1.

Each test starts the hub the way ``certhub serve`` does (``certhub.hub.runtime.serving``,
behind its connection cap) with small timeouts from settings, and talks raw
HTTP/1.1 through ``asyncio.open_connection``: slow and stalled bodies, idle
and half-sent connections, deep nesting, huge numbers and disconnects. None
of them may cause a 5xx, an error log, or take capacity from a valid sender.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from evidence_samples import png
from hubkit import write_trust_store
from prometheus_client import CollectorRegistry

from certhub.hub.api.edge import SERVER_NAME
from certhub.hub.core.keys import EDGE, READINESS
from certhub.hub.core.settings import Settings
from certhub.hub.runtime.app import create_app
from certhub.hub.runtime.health import public_detail
from certhub.hub.runtime.serving import start_hub
from certhub.mocks.population import Population
from certhub.monitoring.logging import FloodGuard
from certhub.monitoring.metrics import HubMetrics
from certhub.security import SigningKey, issue_read_token, sign_compact
from certhub.security._encoding import b64url_encode

Response = tuple[int, dict[str, str], bytes]
DEEP = b"[" * 1000 + b"]" * 1000


@dataclass
class EdgeHub:
    """A hub served on a real port, with its parties and its metrics registry."""

    app: web.Application
    runner: web.AppRunner
    port: int
    keys: dict[str, SigningKey]
    registry: CollectorRegistry
    population: Population = field(default_factory=lambda: Population(seed=5))
    serial: int = 0

    def signed_report(self) -> bytes:
        """A valid signed eligibility report from ``city``."""
        self.serial += 1
        payload = json.dumps(self.population.eligibility_report()).encode()
        return sign_compact(
            payload,
            key=self.keys["city"],
            typ="eligibility_report/v1",
            sender="city",
            jti=f"edge-{self.serial}",
        )

    def bearer(self) -> str:
        """A read token of the provincial system."""
        return issue_read_token(self.keys["province"], sender="province")

    async def connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """A raw connection to the hub."""
        return await asyncio.open_connection("127.0.0.1", self.port)

    async def request(self, head: str, body: bytes = b"") -> Response:
        """Send one request on a fresh connection and read the answer."""
        reader, writer = await self.connect()
        try:
            writer.write(head.encode("latin-1") + body)
            await writer.drain()
            return await read_response(reader)
        finally:
            writer.close()

    async def push(self, token: bytes) -> Response:
        """POST a signed message to /v1/reports."""
        return await self.request(post_head(len(token)), token)

    async def get(self, path: str, token: str | None = None) -> Response:
        """GET ``path``, with a bearer token if given."""
        auth = f"Authorization: Bearer {token}\r\n" if token is not None else ""
        return await self.request(f"GET {path} HTTP/1.1\r\nHost: hub\r\n{auth}\r\n")

    def sample(self, name: str, **labels: str) -> float:
        """A metric's current value (0 when absent)."""
        return self.registry.get_sample_value(name, labels) or 0.0

    def server_errors(self) -> float:
        """Requests answered with a 5xx, over every route."""
        return sum(
            sample.value
            for metric in self.registry.collect()
            if metric.name == "certhub_http_request_duration_seconds"
            for sample in metric.samples
            if sample.name.endswith("_count") and sample.labels.get("status") == "5xx"
        )


def post_head(length: int, path: str = "/v1/reports", media: str = "application/jose") -> str:
    """The head of a POST announcing ``length`` body bytes."""
    return (
        f"POST {path} HTTP/1.1\r\nHost: hub\r\nContent-Type: {media}\r\n"
        f"Content-Length: {length}\r\n\r\n"
    )


async def read_response(reader: asyncio.StreamReader) -> Response:
    """Status, headers (lower-case names) and body of one HTTP/1.1 answer (within 5 s)."""
    async with asyncio.timeout(5):
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers, body


async def closed_within(reader: asyncio.StreamReader, seconds: float) -> bool:
    """Whether the hub closes the connection (EOF or reset) within ``seconds``."""
    try:
        async with asyncio.timeout(seconds):
            while await reader.read(1024):
                pass
    except TimeoutError:
        return False
    except ConnectionError:
        return True
    return True


async def eventually(check: Callable[[], bool], seconds: float = 3.0) -> None:
    """Poll ``check`` until it holds, failing after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


def problem(body: bytes) -> str:
    """The slug of a problem document."""
    slug: str = json.loads(body)["type"].rsplit(":", 1)[1]
    return slug


@pytest.fixture
def start(tmp_path: Path) -> Callable[..., Any]:
    """Start a hub on a real port with settings overrides (stopped at the test's end)."""

    @asynccontextmanager
    async def started(**overrides: Any) -> AsyncIterator[EdgeHub]:
        parties = ("city", "other-city", "channel", "province")
        keys = {party: SigningKey.generate() for party in parties}
        settings = Settings(data_dir=tmp_path / "data", signature_helper=False, **overrides)
        write_trust_store(settings.trust_store_path, keys)
        registry = CollectorRegistry()
        app = create_app(settings, registry=registry)
        runner = await start_hub(app, "127.0.0.1", 0)
        try:
            yield EdgeHub(app, runner, runner.addresses[0][1], keys, registry)
        finally:
            await runner.cleanup()

    return started


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


# 1. Deep nesting ---------------------------------------------------------------


async def test_a_deeply_nested_protected_header_is_malformed(
    start: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    header = b'{"alg":"EdDSA","kid":"k","x":' + DEEP + b"}"
    token = f"{b64url_encode(header)}.{b64url_encode(b'{}')}.{b64url_encode(b'x' * 64)}".encode()
    async with start() as hub:
        status, _, body = await hub.push(token)
        assert (status, problem(body)) == (400, "malformed-message")
        assert hub.server_errors() == 0
    assert _errors(caplog) == []


async def test_huge_numbers_in_a_header_are_malformed(start: Callable[..., Any]) -> None:
    async with start() as hub:
        for iat in (b"9" * 5000, b"1e400", b"9" * 400):
            header = b'{"alg":"EdDSA","kid":"%s","typ":"eligibility_report/v1","iat":%s}' % (
                hub.keys["city"].kid.encode(),
                iat,
            )
            token = f"{b64url_encode(header)}.{b64url_encode(b'{}')}.{b64url_encode(b'x' * 64)}"
            status, _, body = await hub.push(token.encode())
            assert (status, problem(body)) == (400, "malformed-message")
        assert hub.server_errors() == 0


async def test_a_deeply_nested_bearer_token_is_an_invalid_token(
    start: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    header = b'{"alg":"EdDSA","typ":"JWT","kid":"k","x":' + DEEP + b"}"
    token = f"{b64url_encode(header)}.{b64url_encode(b'{}')}.{b64url_encode(b'x' * 64)}"
    async with start() as hub:
        status, _, body = await hub.get("/v1/reports", token)
        assert (status, problem(body)) == (401, "invalid-token")
        assert hub.server_errors() == 0
    assert _errors(caplog) == []


# 2. Admission is not spendable by anonymous bytes --------------------------------


async def test_stalled_anonymous_bodies_take_no_in_flight_slot(start: Callable[..., Any]) -> None:
    async with start(max_in_flight=2, http_body_timeout_seconds=30) as hub:
        stalled = []
        for _ in range(4):  # twice the in-flight limit, each stuck after 10 bytes
            reader, writer = await hub.connect()
            writer.write(post_head(1000).encode() + b"x" * 10)
            await writer.drain()
            stalled.append((reader, writer))
        await eventually(lambda: hub.app[EDGE].pending == 4)  # all four handlers are waiting
        status, _, body = await hub.push(hub.signed_report())
        assert status == 202, body
        for _, writer in stalled:
            writer.close()


# 3. Timeouts and caps --------------------------------------------------------------


async def test_a_stalled_body_is_refused_with_408_and_closed(
    start: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    async with start(http_body_timeout_seconds=0.3) as hub:
        reader, writer = await hub.connect()
        writer.write(post_head(1000).encode() + b"x" * 10)
        await writer.drain()
        status, headers, body = await read_response(reader)
        assert (status, problem(body)) == (408, "body-timeout")
        assert headers["connection"] == "close"
        assert await closed_within(reader, 1)
        writer.close()
        assert hub.sample("certhub_http_edge_refusals_total", reason="body_timeout") == 1
        assert hub.server_errors() == 0
    assert _errors(caplog) == []


async def test_pending_bodies_have_their_own_cap(start: Callable[..., Any]) -> None:
    async with start(http_max_pending_bodies=2, http_body_timeout_seconds=30) as hub:
        stalled = []
        for _ in range(2):
            reader, writer = await hub.connect()
            writer.write(post_head(1000).encode() + b"x")
            await writer.drain()
            stalled.append(writer)
        await eventually(lambda: hub.app[EDGE].pending == 2)  # both handlers are waiting
        reader, writer = await hub.connect()
        writer.write(post_head(1000).encode() + b"x")
        await writer.drain()
        status, headers, body = await read_response(reader)
        assert (status, problem(body)) == (429, "overloaded")
        assert headers["retry-after"] == "1"
        assert hub.sample("certhub_http_edge_refusals_total", reason="pending_bodies") == 1
        for stalled_writer in (*stalled, writer):
            stalled_writer.close()
        # A complete push is not a pending body: it is taken at once.
        status, _, body = await hub.push(hub.signed_report())
        assert status == 202, body


async def test_idle_and_half_sent_connections_are_closed(start: Callable[..., Any]) -> None:
    async with start(http_idle_timeout_seconds=0.3) as hub:
        idle_reader, idle_writer = await hub.connect()
        slow_reader, slow_writer = await hub.connect()
        slow_writer.write(b"GET /healthz HTTP/1.1\r\nHost: hub\r\n")  # head never finished
        started = time.monotonic()
        for line in range(3):
            slow_writer.write(f"X-Slow-{line}: 1\r\n".encode())
            await asyncio.sleep(0.05)
        assert await closed_within(idle_reader, 2)
        assert await closed_within(slow_reader, 2)
        assert time.monotonic() - started < 2
        for writer in (idle_writer, slow_writer):
            writer.close()
        # Keep-alive after an answer is bounded by the same timer.
        reader, writer = await hub.connect()
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: hub\r\n\r\n")
        status, _, _ = await read_response(reader)
        assert status == 200
        assert await closed_within(reader, 2)
        writer.close()


async def test_connections_past_the_cap_get_503_and_are_closed(
    start: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    async with start(http_max_connections=3, http_idle_timeout_seconds=30) as hub:
        held = [await hub.connect() for _ in range(3)]
        reader, writer = await hub.connect()
        status, headers, body = await read_response(reader)
        assert (status, problem(body), headers["server"]) == (503, "overloaded", SERVER_NAME)
        assert await closed_within(reader, 1)
        writer.close()
        assert hub.sample("certhub_http_edge_refusals_total", reason="connection_cap") == 1
        assert any("cap reached" in r.getMessage() for r in caplog.records)
        for _, held_writer in held:
            held_writer.close()
        server = hub.runner.server
        assert server is not None
        await eventually(lambda: not server.connections)  # the hub saw them go
        assert (await hub.get("/healthz"))[0] == 200  # new clients get in again


def test_log_floods_are_cut_and_counted() -> None:
    guard = FloodGuard(burst=3, window=60)
    records = [
        logging.LogRecord("x", logging.ERROR, __file__, 1, "accept failed: %s", ("EMFILE",), None)
        for _ in range(100)
    ]
    passed = [record for record in records if guard.filter(record)]
    assert len(passed) == 3
    assert guard.suppressed == {"ERROR": 97}
    info = logging.LogRecord("x", logging.INFO, __file__, 1, "accepted", (), None)
    assert guard.filter(info)
    later = logging.LogRecord("x", logging.ERROR, __file__, 1, "accept failed: %s", ("E",), None)
    later.created += 61
    assert guard.filter(later)
    assert getattr(later, "suppressed_before", None) == 97
    varied = [
        logging.LogRecord("asyncio", logging.ERROR, __file__, 1, f"accept on fd {n}", (), None)
        for n in range(100)
    ]
    per_logger = FloodGuard(burst=3, window=60)
    assert sum(per_logger.filter(record) for record in varied) == 30  # ten bursts per logger
    handler = logging.NullHandler()
    handler.addFilter(guard)
    logging.getLogger().addHandler(handler)
    try:
        metrics = HubMetrics(CollectorRegistry())
        value = metrics.registry.get_sample_value(
            "certhub_log_records_suppressed_total", {"level": "ERROR"}
        )
        assert value == 97
    finally:
        logging.getLogger().removeHandler(handler)


# 4. A client that goes away is not a server error -----------------------------------


async def test_a_client_dropping_mid_body_is_no_server_error(
    start: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    async with start(http_body_timeout_seconds=30) as hub:
        for path, media in (("/v1/reports", "application/jose"), ("/v1/evidence", "image/png")):
            _, writer = await hub.connect()
            head = post_head(100_000, path, media)
            if path == "/v1/evidence":
                token = issue_read_token(hub.keys["city"], sender="city", scope="evidence")
                head = head.replace("\r\n\r\n", f"\r\nAuthorization: Bearer {token}\r\n\r\n")
            writer.write(head.encode() + b"x" * 100)
            await writer.drain()
            await asyncio.sleep(0.1)  # let the handler start reading
            writer.transport.abort()
        await eventually(lambda: hub.sample("certhub_http_client_disconnects_total") == 2)
        assert hub.server_errors() == 0
    assert _errors(caplog) == []


# 5. Reader-supplied numbers and cursors ----------------------------------------------


async def test_huge_numbers_and_forged_cursors_are_refused(start: Callable[..., Any]) -> None:
    async with start() as hub:
        token = hub.bearer()
        status, _, body = await hub.get("/v1/reports?limit=" + "9" * 5000, token)
        assert (status, problem(body)) == (400, "invalid-parameter")
        for data in ({"v": 1, "k": "report", "s": 2**63}, {"v": 1, "k": "report", "s": 0}):
            forged = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
            status, _, body = await hub.get(f"/v1/reports?after={forged}", token)
            assert (status, problem(body)) == (400, "invalid-cursor")
        assert (await hub.push(hub.signed_report()))[0] == 202
        status, _, body = await hub.get("/v1/reports", token)
        cursor = json.loads(body)["next_cursor"]
        status, _, body = await hub.get(f"/v1/reports?after={cursor}", token)
        assert (status, json.loads(body)["items"]) == (200, [])
        payload, _, tag = cursor.partition(".")
        edited = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        edited["s"] = 2**63
        raw = json.dumps(edited, separators=(",", ":")).encode()
        tampered = f"{base64.urlsafe_b64encode(raw).rstrip(b'=').decode()}.{tag}"
        status, _, body = await hub.get(f"/v1/reports?after={tampered}", token)
        assert (status, problem(body)) == (400, "invalid-cursor")
        assert hub.server_errors() == 0


# 6. Storage failures and readiness ------------------------------------------------------


async def test_an_evidence_store_that_cannot_write_answers_503(
    start: Callable[..., Any], tmp_path: Path
) -> None:
    async with start() as hub:
        evidence = tmp_path / "data" / "evidence"
        evidence.rename(tmp_path / "evidence-moved")
        evidence.write_bytes(b"")  # a file where the folder was: every write fails
        data = png()
        token = issue_read_token(hub.keys["city"], sender="city", scope="evidence")
        head = post_head(len(data), "/v1/evidence", "image/png").replace(
            "\r\n\r\n", f"\r\nAuthorization: Bearer {token}\r\n\r\n"
        )
        status, _, body = await hub.request(head, data)
        assert (status, problem(body)) == (503, "store-unavailable")
        assert hub.server_errors() == 1  # a real outage: the 5xx alert should see it


async def test_readyz_names_the_failing_dependency_not_its_path(
    start: Callable[..., Any], tmp_path: Path
) -> None:
    async def disk() -> str:
        raise OSError(30, "Read-only file system", str(tmp_path / "data"))

    async with start() as hub:
        hub.app[READINESS].register("disk", disk)
        status, _, body = await hub.get("/readyz")
        assert status == 503
        check = json.loads(body)["checks"]["disk"]
        assert check["ok"] is False
        assert "Read-only file system" in check["detail"]
        assert str(tmp_path) not in body.decode()


# 7. Headers ------------------------------------------------------------------------------


async def test_405_names_the_allowed_methods_and_server_names_no_versions(
    start: Callable[..., Any],
) -> None:
    async with start() as hub:
        status, headers, body = await hub.request(
            "DELETE /v1/reports HTTP/1.1\r\nHost: hub\r\n\r\n"
        )
        assert (status, problem(body)) == (405, "method-not-allowed")
        assert set(headers["allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
        assert headers["server"] == SERVER_NAME
        _, headers, _ = await hub.get("/healthz")
        assert headers["server"] == SERVER_NAME


async def test_unparseable_requests_get_a_problem_without_versions_or_tracebacks(
    start: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    broken = (
        "GARBAGE\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost: hub\r\nBad Header\r\n\r\n",
        "GET /" + "a" * 9000 + " HTTP/1.1\r\nHost: hub\r\n\r\n",
    )
    async with start() as hub:
        for head in broken:
            status, headers, body = await hub.request(head)
            assert (status, problem(body)) == (400, "malformed-request")
            assert headers["server"] == SERVER_NAME
    assert _errors(caplog) == []


@pytest.mark.parametrize(
    ("failure", "shown"),
    [
        (OSError("/srv/certhub/var is not writable"), "<path> is not writable"),
        (
            Exception("ledger not readable: [Errno 30] Read-only file system: '/srv/x/ledger'"),
            "ledger not readable: [Errno 30] Read-only file system: '<path>'",
        ),
        (Exception("no answer from postgresql://hub@db:5432/certhub"), None),
    ],
)
def test_readiness_details_never_show_paths(failure: Exception, shown: str | None) -> None:
    assert public_detail(failure) == (shown if shown is not None else str(failure))
