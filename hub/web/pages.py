"""Static pages served from memory with a strict Content-Security-Policy and ETags.

A folder of a few small files (HTML, ES modules, CSS, a service worker) is read
once when the routes are built; each answer carries the same security headers.
Only files with a known media type are served, so nothing else in the folder
(``__pycache__``, editor files) is ever reachable, and no path ever touches the
file system at request time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from types import MappingProxyType

from aiohttp import web

from certhub.hub.problems import Problem

__all__ = ["CONTENT_SECURITY_POLICY", "MEDIA_TYPES", "StaticPages", "page_routes"]

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' blob:",  # photo previews are object URLs of the phone's own pictures
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
"""Everything from the hub's own origin; no inline script or style, no plug-ins, no framing."""

MEDIA_TYPES: Mapping[str, str] = MappingProxyType(
    {
        ".html": "text/html; charset=utf-8",
        ".js": "text/javascript; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".svg": "image/svg+xml",
        ".png": "image/png",
        ".webmanifest": "application/manifest+json",
    }
)
"""The only kinds of file a page folder serves, by suffix."""

SECURITY_HEADERS: Mapping[str, str] = MappingProxyType(
    {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
        # The camera is used through a file input; location only by the e-map.
        "Permissions-Policy": "geolocation=(self), microphone=(), payment=(), usb=()",
        # Revalidate every time (a 304 is a few bytes); the service worker keeps the offline copy.
        "Cache-Control": "no-cache",
    }
)


@dataclass(frozen=True, slots=True)
class StaticFile:
    """One file's bytes, media type and strong ETag (its SHA-256)."""

    body: bytes
    media_type: str
    etag: str


class StaticPages:
    """The servable files of one folder, read once."""

    def __init__(self, folder: Traversable, *, index: str = "index.html") -> None:
        self.index = index
        self.files: Mapping[str, StaticFile] = MappingProxyType(dict(_read(folder.iterdir())))
        if index not in self.files:
            raise FileNotFoundError(f"{index} is missing from {folder}")

    def answer(self, request: web.Request, name: str) -> web.Response:
        """The file ``name`` (``304`` if the client's copy is current).

        Raises:
            Problem: ``not-found`` for any name that is not a servable file.
        """
        found = self.files.get(name)
        if found is None:
            raise Problem("not-found", "no such page or asset")
        headers = {**SECURITY_HEADERS, "ETag": found.etag}
        if found.etag in _etags(request.headers.get("If-None-Match", "")):
            return web.Response(status=304, headers=headers)
        headers["Content-Type"] = found.media_type
        return web.Response(body=found.body, headers=headers)


def _read(entries: Iterable[Traversable]) -> Iterable[tuple[str, StaticFile]]:
    for entry in entries:
        suffix = "." + entry.name.rsplit(".", 1)[-1] if "." in entry.name else ""
        if entry.is_file() and suffix in MEDIA_TYPES:
            body = entry.read_bytes()
            etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            yield entry.name, StaticFile(body, MEDIA_TYPES[suffix], etag)


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def page_routes(prefix: str, pages: StaticPages) -> web.RouteTableDef:
    """``GET {prefix}/`` (the index) and ``GET {prefix}/{asset}`` for ``pages``."""
    routes = web.RouteTableDef()

    @routes.get(f"{prefix}/")
    async def index(request: web.Request) -> web.Response:
        return pages.answer(request, pages.index)

    @routes.get(f"{prefix}/{{asset}}")
    async def asset(request: web.Request) -> web.Response:
        return pages.answer(request, request.match_info["asset"])

    return routes
