"""The entrance's files: served from memory under a strict CSP, all in the offline shell."""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

import pytest
from hubkit import Hub

from certhub.hub.web.pages import CONTENT_SECURITY_POLICY

FOLDER = resources.files("certhub.hub.web") / "entrance"
SERVED = sorted(
    entry.name
    for entry in FOLDER.iterdir()
    if entry.name.rsplit(".", 1)[-1] in {"html", "js", "css", "svg", "webmanifest"}
)
SCRIPTS = [name for name in SERVED if name.endswith(".js")]


def text(name: str) -> str:
    return (FOLDER / name).read_text(encoding="utf-8")


async def test_the_page_comes_with_a_strict_policy_and_an_etag(hub: Hub) -> None:
    response = await hub.client.get("/app/")
    assert response.status == 200
    assert response.content_type == "text/html"
    headers = response.headers
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "default-src 'self'" in CONTENT_SECURITY_POLICY
    assert "unsafe" not in CONTENT_SECURITY_POLICY
    assert "http" not in CONTENT_SECURITY_POLICY  # no other origin, no scheme wildcard
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "no-cache"
    again = await hub.client.get("/app/", headers={"If-None-Match": headers["ETag"]})
    assert (again.status, await again.read()) == (304, b"")
    assert again.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


@pytest.mark.parametrize(
    ("name", "media"),
    [
        ("app.js", "text/javascript"),
        ("app.css", "text/css"),
        ("sw.js", "text/javascript"),
        ("manifest.webmanifest", "application/manifest+json"),
        ("icon.svg", "image/svg+xml"),
    ],
)
async def test_each_file_has_its_media_type(hub: Hub, name: str, media: str) -> None:
    response = await hub.client.get(f"/app/{name}")
    assert (response.status, response.content_type) == (200, media)
    assert await response.read() == (FOLDER / name).read_bytes()


@pytest.mark.parametrize(
    "path",
    ["/app/nope.js", "/app/__init__.py", "/app/entrance.py", "/app/%2e%2e%2fpages.py", "/app/.."],
)
async def test_nothing_but_the_pages_files_is_reachable(hub: Hub, path: str) -> None:
    response = await hub.client.get(path)
    assert response.status == 404
    body: dict[str, Any] = await response.json(content_type=None)
    assert body["type"] in {"urn:certhub:problem:not-found"}


def test_every_file_the_page_loads_is_in_the_offline_shell() -> None:
    shell = set(re.findall(r'^  "([^"]+)",$', text("sw.js"), re.MULTILINE))
    loaded = {"./"} | set(re.findall(r'(?:src|href)="([\w.]+\.\w+)"', text("index.html")))
    for script in SCRIPTS:
        loaded |= set(re.findall(r'from "\./([\w.]+\.js)"', text(script)))
    assert loaded <= set(SERVED) | {"./"}
    assert shell == loaded - {"sw.js"}


def test_no_inline_script_style_or_markup_from_strings() -> None:
    page = text("index.html")
    assert re.findall(r"<script\b[^>]*>", page) == ['<script type="module" src="app.js">']
    assert not re.search(r"\son\w+=|\sstyle=|javascript:", page)
    for script in SCRIPTS:
        source = re.sub(r"^\s*//.*$", "", text(script), flags=re.MULTILINE)  # code, not comments
        for risky in ("innerHTML", "outerHTML", "insertAdjacentHTML", "eval(", "new Function"):
            assert risky not in source, (script, risky)
        assert "http://" not in source
        assert "https://" not in source, script  # no third-party origin


def test_the_private_key_is_made_non_extractable() -> None:
    source = text("jws.js")
    assert 'generateKey({ name: "Ed25519" }, false, ["sign", "verify"])' in source
    assert 'exportKey("jwk", publicKey)' in source
    assert "privateKey" not in source.split("exportKey", 1)[1].split(")", 1)[0]
