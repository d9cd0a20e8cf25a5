"""The HTTP edge shared by REST and SOAP adapters: client, size cap, error translation.

httpx errors and HTTP statuses become certhub adapter errors here and only
here. Tests and benchmarks inject any ``httpx.AsyncBaseTransport`` (e.g.
``httpx.MockTransport``) in place of the network.
"""

from __future__ import annotations

import email.utils
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import httpx

from .config import AdapterConfig
from .errors import (
    DepartmentTimeout,
    DepartmentUnavailable,
    RequestRejected,
    ResponseInvalid,
    ResponseTooLarge,
)

__all__ = [
    "CappedTransport",
    "check_status",
    "make_client",
    "parse_retry_after",
    "translate_httpx_errors",
]

_RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


class CappedTransport(httpx.AsyncBaseTransport):
    """Reads each response body fully, refusing bodies over ``max_bytes``.

    Wrapping the transport (not the client) protects every caller, zeep included,
    and stops reading as soon as the cap is passed.
    """

    def __init__(self, inner: httpx.AsyncBaseTransport, max_bytes: int) -> None:
        self._inner = inner
        self._max_bytes = max_bytes

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` and return the response with its body read, or refuse it."""
        response = await self._inner.handle_async_request(request)
        try:
            declared = int(response.headers.get("content-length", "0"))
        except ValueError:
            declared = 0
        if declared > self._max_bytes:
            await response.aclose()
            raise ResponseTooLarge(f"declared body of {declared} bytes over the cap")
        body = bytearray()
        try:
            async for chunk in response.stream:  # type: ignore[union-attr]
                body += chunk
                if len(body) > self._max_bytes:
                    raise ResponseTooLarge(f"body over the cap of {self._max_bytes} bytes")
        finally:
            await response.aclose()
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            content=bytes(body),
            extensions=response.extensions,
            request=request,
        )

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        await self._inner.aclose()


def make_client(
    config: AdapterConfig, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` for one department, with timeouts, cap and credentials.

    ``trust_env=False``: proxies and certificates come from settings, never the
    environment.
    """
    inner = transport or httpx.AsyncHTTPTransport(retries=0)
    headers = {"Accept": "application/json, text/xml"}
    key = config.api_key()
    if key:
        headers["Authorization"] = f"Bearer {key}"
    return httpx.AsyncClient(
        base_url=config.root,
        transport=CappedTransport(inner, config.max_response_bytes),
        timeout=httpx.Timeout(config.policy.attempt_timeout, connect=config.connect_timeout),
        headers=headers,
        follow_redirects=False,
        trust_env=False,
    )


@contextmanager
def translate_httpx_errors() -> Iterator[None]:
    """Turn httpx's exceptions raised inside the block into certhub adapter errors."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise DepartmentTimeout(f"{type(exc).__name__}") from exc
    except (httpx.NetworkError, httpx.RemoteProtocolError, httpx.ProxyError) as exc:
        raise DepartmentUnavailable(f"connection failed: {type(exc).__name__}") from exc
    except (httpx.DecodingError, httpx.TooManyRedirects, httpx.LocalProtocolError) as exc:
        raise ResponseInvalid(f"unusable HTTP exchange: {type(exc).__name__}") from exc
    except httpx.HTTPError as exc:
        raise DepartmentUnavailable(f"HTTP failure: {type(exc).__name__}") from exc


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


def check_status(response: httpx.Response) -> None:
    """Raise the certhub error for a non-2xx response; return for 2xx.

    Raises:
        DepartmentUnavailable: 408, 429 and 5xx, with ``Retry-After`` parsed.
        RequestRejected: other 4xx.
        ResponseInvalid: anything else outside 2xx (redirects are not followed).
    """
    status = response.status_code
    if 200 <= status < 300:
        return
    if status in _RETRYABLE_STATUSES or status >= 500:
        raise DepartmentUnavailable(
            f"HTTP {status}",
            status=status,
            retry_after=parse_retry_after(response.headers.get("retry-after")),
        )
    if 400 <= status < 500:
        raise RequestRejected(f"HTTP {status}: {_problem_title(response)}", status=status)
    raise ResponseInvalid(f"unexpected HTTP {status}")


def _problem_title(response: httpx.Response) -> str:
    """A short reason from a problem document, if the department sent one."""
    try:
        body = response.json()
    except ValueError:
        return "no problem document"
    if isinstance(body, dict):
        return str(body.get("title") or body.get("detail") or "")[:200]
    return ""
