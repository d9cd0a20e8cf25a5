"""Browser fixtures shared by the coordinators' entrance and the e-map suites.

Debian's Chromium (``/usr/bin/chromium``, installed by ``tests/ensure_services.sh``)
driven by Playwright's sync API at a phone's size, a real hub answering on a real
port of 127.0.0.1, screenshots kept under ``tests/browser/screenshots/`` (git
ignores them; CI keeps the folder as an artefact) and an axe-core check.

Fixtures:

- ``browser`` (session): one Chromium for the whole run.
- ``phone_page``: a fresh 390×844 touch context in ``zh-CN`` (Asia/Shanghai). The
  test fails at teardown if the page threw an uncaught error or the browser refused
  something under the Content-Security-Policy.
- ``screenshot``: ``screenshot(page, "app-01-enrol")`` saves a full-page PNG.
- ``accessible``: ``accessible(page)`` runs axe-core; serious or critical findings fail.
- ``live_hub`` / ``live_hub_factory``: a hub (``create_app``) on a free port in its own
  thread and event loop, its trust store enrolling hubkit's standard parties. Its
  answers are checked against ``/openapi.json`` like every other test hub's.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp.test_utils import TestServer
from axe_playwright_python.sync_playwright import Axe
from hubkit import write_trust_store
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright
from prometheus_client import CollectorRegistry

from certhub.hub.core.settings import Settings
from certhub.hub.runtime.app import create_app
from certhub.security import SigningKey, TrustStore, issue_read_token, sign_compact

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parent / "screenshots"
PHONE = {"width": 390, "height": 844}
# axe-core impacts that fail a test; "minor" and "moderate" findings are reported only.
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
PARTIES = ("city", "other-city", "channel", "province", "county")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, for the whole session."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make services` (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield chromium
        chromium.close()


@dataclass
class PageWatch:
    """What a page did wrong while a test used it: uncaught errors and CSP refusals."""

    errors: list[str] = field(default_factory=list)

    def console(self, message: ConsoleMessage) -> None:
        """Keep console errors that name the Content-Security-Policy."""
        if message.type == "error" and "Content Security Policy" in message.text:
            self.errors.append(f"CSP: {message.text}")

    def page_error(self, error: Exception) -> None:
        """Keep every uncaught exception of the page's scripts."""
        self.errors.append(f"uncaught: {error}")


@pytest.fixture
def phone_page(browser: Browser) -> Iterator[Page]:
    """A new page at 390×844 on a touch phone, Chinese locale, China's time zone."""
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    watch = PageWatch()
    page.on("console", watch.console)
    page.on("pageerror", watch.page_error)
    yield page
    context.close()
    assert not watch.errors, "the page misbehaved:\n" + "\n".join(watch.errors)


@pytest.fixture
def screenshot() -> Callable[[Page, str], Path]:
    """Save a full-page PNG named ``name`` under tests/browser/screenshots/."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def shoot(page: Page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return shoot


@pytest.fixture(scope="session")
def axe() -> Axe:
    """axe-core (the copy vendored by axe-playwright-python), loaded once."""
    return Axe()


@pytest.fixture
def accessible(axe: Axe) -> Callable[[Page], None]:
    """Fail when axe-core finds a serious or critical accessibility violation on the page."""

    def check(page: Page) -> None:
        results = axe.run(page)
        blocking = [
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(node["target"][0] for node in v["nodes"][:3])
            for v in results.response["violations"]
            if v["impact"] in BLOCKING_IMPACTS
        ]
        assert not blocking, "accessibility violations:\n" + "\n".join(blocking)

    return check


class _ServerThread:
    """An aiohttp test server on a real port, run by its own event loop in a thread.

    Playwright's sync API needs the main thread free of a running loop, so the hub
    runs beside it. ``TestServer`` (not a bare ``AppRunner``) so the suite-wide
    OpenAPI contract check sees every exchange.
    """

    def __init__(self, server: TestServer) -> None:
        self.server = server
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="live-hub", daemon=True)

    def start(self) -> None:
        """Start serving; return once the port is open (or raise what stopped it)."""
        self._thread.start()
        self._ready.wait(30)
        if self._failure is not None:
            raise self._failure
        if not self._ready.is_set():
            raise TimeoutError("the hub did not start within 30 s")

    def stop(self) -> None:
        """Close the server (its cleanup contexts run) and end the thread."""
        asyncio.run_coroutine_threadsafe(self.server.close(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(30)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self.server.start_server())
        except BaseException as exc:  # handed to the test thread by start()
            self._failure = exc
            self._ready.set()
            return
        self._ready.set()
        self.loop.run_forever()
        self.loop.close()


@dataclass
class LiveHub:
    """A hub answering on ``url``, the keys of the parties it trusts, and a sync client."""

    url: str
    settings: Settings
    keys: dict[str, SigningKey]
    http: httpx.Client
    counter: int = 0

    def sign(self, payload: dict[str, Any], *, party: str, typ: str | None = None) -> bytes:
        """A compact JWS of ``payload`` by ``party``'s key, a fresh ``jti`` each time."""
        self.counter += 1
        body = json.dumps(payload, ensure_ascii=False).encode()
        return sign_compact(
            body,
            key=self.keys[party],
            typ=typ or str(payload["type"]),
            sender=party,
            jti=f"live-{self.counter}",
        )

    def bearer(self, party: str, **claims: Any) -> dict[str, str]:
        """An ``Authorization`` header with a fresh read token of ``party``."""
        token = issue_read_token(self.keys[party], sender=party, **claims)
        return {"Authorization": f"Bearer {token}"}

    def post_jws(self, path: str, token: bytes) -> httpx.Response:
        """POST a signed message as ``application/jose``."""
        return self.http.post(path, content=token, headers={"Content-Type": "application/jose"})

    def trust(self, jwk: dict[str, Any], **permissions: Any) -> None:
        """Add ``jwk`` to the trust store file; the hub reloads it within its reload period."""
        path = self.settings.trust_store_path
        TrustStore.load(path).add(jwk, **permissions).save(path)


@pytest.fixture
def party_keys() -> dict[str, SigningKey]:
    """One key per standard party (hubkit's, plus ``county`` for county staff's tests)."""
    return {party: SigningKey.generate() for party in PARTIES}


@pytest.fixture
def live_hub_factory(
    tmp_path: Path, party_keys: dict[str, SigningKey]
) -> Iterator[Callable[..., LiveHub]]:
    """Start hubs with settings overrides; each stops at teardown."""
    running: list[tuple[_ServerThread, httpx.Client]] = []

    def start(**overrides: Any) -> LiveHub:
        settings = Settings(
            data_dir=tmp_path / f"hub{len(running)}", trust_reload_seconds=0.2, **overrides
        )
        write_trust_store(settings.trust_store_path, party_keys)
        app = create_app(settings, registry=CollectorRegistry())
        thread = _ServerThread(TestServer(app, host="127.0.0.1", port=0))
        thread.start()
        url = f"http://127.0.0.1:{thread.server.port}"
        http = httpx.Client(base_url=url, timeout=10)
        running.append((thread, http))
        return LiveHub(url, settings, party_keys, http)

    yield start
    for thread, http in reversed(running):
        http.close()
        thread.stop()


@pytest.fixture
def live_hub(live_hub_factory: Callable[..., LiveHub]) -> LiveHub:
    """A hub with default settings on a free port of 127.0.0.1."""
    return live_hub_factory()
