"""The shared HTTP edge: status mapping, Retry-After, size cap, httpx error translation."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from certhub.adapters import (
    DepartmentTimeout,
    DepartmentUnavailable,
    RequestRejected,
    ResponseInvalid,
    ResponseTooLarge,
)
from certhub.adapters.http import (
    CappedTransport,
    check_status,
    parse_retry_after,
    translate_httpx_errors,
)


def test_retry_after_in_seconds_and_as_a_date() -> None:
    now = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120
    assert parse_retry_after("Sat, 01 Mar 2025 12:00:30 GMT", now=now) == 30
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


@pytest.mark.parametrize(
    ("status", "error"),
    [(503, DepartmentUnavailable), (429, DepartmentUnavailable), (500, DepartmentUnavailable),
     (400, RequestRejected), (401, RequestRejected), (409, RequestRejected),
     (302, ResponseInvalid)],
)  # fmt: skip
def test_statuses_map_to_the_error_tree(status: int, error: type[Exception]) -> None:
    with pytest.raises(error):
        check_status(httpx.Response(status, headers={"Retry-After": "2"}))


def test_503_carries_retry_after() -> None:
    with pytest.raises(DepartmentUnavailable) as caught:
        check_status(httpx.Response(503, headers={"Retry-After": "9"}))
    assert caught.value.retry_after == 9
    assert caught.value.status == 503


@pytest.mark.parametrize(
    ("raised", "error"),
    [(httpx.ConnectError("refused"), DepartmentUnavailable),
     (httpx.ReadTimeout("slow"), DepartmentTimeout),
     (httpx.RemoteProtocolError("reset"), DepartmentUnavailable),
     (httpx.DecodingError("gzip"), ResponseInvalid)],
)  # fmt: skip
def test_httpx_errors_never_leak(raised: Exception, error: type[Exception]) -> None:
    with pytest.raises(error) as caught, translate_httpx_errors():
        raise raised
    assert caught.value.__cause__ is raised


async def test_body_over_the_cap_is_refused_while_streaming() -> None:
    inner = httpx.MockTransport(lambda _request: httpx.Response(200, content=b"x" * 5000))
    client = httpx.AsyncClient(transport=CappedTransport(inner, 4096))
    with pytest.raises(ResponseTooLarge):
        await client.get("http://127.0.0.1/")
    small = httpx.AsyncClient(transport=CappedTransport(inner, 8192))
    assert len((await small.get("http://127.0.0.1/")).content) == 5000
    await client.aclose()
    await small.aclose()
