"""RFC 9457 problem documents over HTTP: the catalogue's answers as aiohttp responses.

What a refusal answers (status, title) is decided by the one catalogue in
:mod:`certhub.hub.problems`; this module only writes it as
``application/problem+json``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from aiohttp import web

from certhub.hub.problems import Problem
from certhub.schemas import problem_type_uri

__all__ = ["PROBLEM_CONTENT_TYPE", "render"]

PROBLEM_CONTENT_TYPE: Final = "application/problem+json"


def render(problem: Problem, *, instance: str | None = None) -> web.Response:
    """An ``application/problem+json`` response for ``problem``."""
    body: dict[str, Any] = {
        "type": problem_type_uri(problem.slug),
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
    }
    if instance:
        body["instance"] = instance
    body.update(problem.extensions)
    return _response(body, problem.headers)


def _response(body: Mapping[str, Any], headers: Mapping[str, str]) -> web.Response:
    return web.Response(
        status=int(body["status"]),
        body=json.dumps(body, ensure_ascii=False).encode(),
        content_type=PROBLEM_CONTENT_TYPE,
        charset="utf-8",
        headers=headers,
    )
