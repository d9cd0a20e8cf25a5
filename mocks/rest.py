"""Shared pieces of the REST mocks: problem documents, JSON answers, REST-form faults."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from .faults import FaultConfig, FaultKind

__all__ = ["fault_response", "json_body", "problem"]

PROBLEM = "application/problem+json"


def problem(status: int, title: str, *, retry_after: int | None = None) -> web.Response:
    """An RFC 9457 problem document."""
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    body = {"type": f"urn:certhub:mock:{status}", "title": title, "status": status}
    return web.json_response(body, status=status, content_type=PROBLEM, headers=headers)


def json_body(data: Any) -> bytes:
    """Compact UTF-8 JSON, Chinese kept as is."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def fault_response(kind: FaultKind, config: FaultConfig) -> web.Response | None:
    """The answer for a fault that replaces the normal answer, or None to answer normally."""
    if kind is FaultKind.error:
        return problem(503, "service temporarily unavailable", retry_after=config.retry_after)
    if kind is FaultKind.throttle:
        return problem(429, "too many requests", retry_after=config.retry_after or 1)
    if kind is FaultKind.reject:
        return problem(400, "request refused")
    if kind is FaultKind.huge:
        pad = json_body({"padding": "x" * config.huge_bytes})
        return web.Response(body=pad, content_type="application/json")
    return None
