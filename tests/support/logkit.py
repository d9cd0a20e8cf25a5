"""The hub's JSON log lines, captured in memory for tests that read what was logged."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from certhub.monitoring.logging import json_handler

if TYPE_CHECKING:
    from hubkit import Hub


@contextmanager
def captured_json_logs(level: int) -> Iterator[io.StringIO]:
    """Everything logged at ``level`` and up, as the hub's JSON lines; the root logger's
    handlers and level as they were afterwards."""
    stream = io.StringIO()
    handler = json_handler(stream)
    root = logging.getLogger()
    before = root.level
    root.addHandler(handler)
    root.setLevel(level)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(before)


def logged(stream: io.StringIO, **match: Any) -> list[dict[str, Any]]:
    """The JSON objects logged so far, those whose fields equal ``match``."""
    found = [json.loads(line) for line in stream.getvalue().splitlines() if line.startswith("{")]
    return [entry for entry in found if all(entry.get(k) == v for k, v in match.items())]


async def read_by_path(
    hub: Hub, stream: io.StringIO, numbers: Iterable[str]
) -> tuple[list[int], list[str]]:
    """Each of ``numbers`` asked for as a person's biometric enrolments, in the path: the
    statuses and the paths the access log kept of those reads."""
    statuses = []
    for number in numbers:
        response = await hub.client.get(
            f"/v1/biometric-enrolments/{quote(number)}", headers=hub.bearer()
        )
        statuses.append(response.status)
    reads = logged(stream, event="pii_read", route="/v1/biometric-enrolments/{person_id}")
    return statuses, [read["path"] for read in reads]


async def read_by_cursor(
    hub: Hub, stream: io.StringIO, numbers: Iterable[str]
) -> list[dict[str, Any]]:
    """Each of ``numbers`` pasted as the cursor of a page of reports (each refused 400
    invalid-cursor): the access log's lines of those reads."""
    for number in numbers:
        response = await hub.client.get(
            "/v1/reports", params={"after": number, "limit": "20"}, headers=hub.bearer()
        )
        assert response.status == 400  # invalid-cursor
    return logged(stream, event="pii_read", route="/v1/reports")


async def raw_get(hub: Hub, target: str) -> int:
    """``GET target`` written byte for byte on the hub's socket (no client re-encodes it):
    the answer's status."""
    server = hub.client.server
    reader, writer = await asyncio.open_connection(server.host, server.port)
    token = hub.bearer()["Authorization"]
    writer.write(
        f"GET {target} HTTP/1.1\r\nHost: hub\r\nAuthorization: {token}\r\n"
        "Connection: close\r\n\r\n".encode("ascii")
    )
    await writer.drain()
    status_line = await reader.readline()
    await reader.read()
    writer.close()
    await writer.wait_closed()
    return int(status_line.split()[1])
