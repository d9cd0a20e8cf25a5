"""Browser fixtures shared by the coordinators' entrance and the e-map suites.

Debian's Chromium (``/usr/bin/chromium``, installed by ``tests/ensure_services.sh``)
driven by Playwright's sync API at a phone's size, a real hub answering on a real
port of 127.0.0.1, screenshots kept under ``tests/browser/screenshots/`` (git
ignores them; CI keeps the folder as an artefact) and an axe-core check.

Fixtures:

- ``browser`` (module): one Chromium per test module (see its docstring: not the session).
- ``phone_page``: a fresh 390×844 touch context in ``zh-CN`` (Asia/Shanghai). The
  test fails at teardown if the page threw an uncaught error or the browser refused
  something under the Content-Security-Policy.
- ``screenshot``: ``screenshot(page, "app-01-enrol")`` saves a full-page PNG.
- ``accessible``: ``accessible(page)`` runs axe-core; serious or critical findings fail.
- ``village_hub``: a hub whose county reviewer issues codes, the village 440825028236 (试验村)
  among the reporting units.
- ``live_hub`` / ``live_hub_factory``: a hub (``create_app``) on a free port in its own
  thread and event loop, its trust store holding procedurekit's parties, one in each
  role (``city``, ``town-1``, ``county-1``, ``province``, …). Its answers are checked
  against ``/openapi.json`` like every other test hub's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp.test_utils import TestServer
from axe_playwright_python.sync_playwright import Axe
from entrancekit import CODE_REQUEST, county_may_also_send
from livehub import LiveHub, ServerThread
from playwright.sync_api import Browser, ConsoleMessage, Page, expect, sync_playwright
from procedurekit import PARTIES, trust_store
from prometheus_client import CollectorRegistry

from certhub.hub.core.settings import Settings
from certhub.hub.runtime.app import create_app
from certhub.security import SigningKey, TrustStore

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parent / "screenshots"
PHONE = {"width": 390, "height": 844}
# The machine is shared with other suites; waits are generous, a passing test never waits them out.
TIMEOUT_MS = 20_000
expect.set_options(timeout=TIMEOUT_MS)
VILLAGE = "440825028236"  # the village of village_hub
# axe-core impacts that fail a test; "minor" and "moderate" findings are reported only.
BLOCKING_IMPACTS = frozenset({"serious", "critical"})


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, for one test module.

    Not for the session: while Playwright's sync API is open, the main thread has a
    running event loop, and every async test collected after tests/browser (tests/hub,
    tests/procedure, …) fails with "Cannot run the event loop while another loop is
    running".
    """
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
    context.set_default_timeout(TIMEOUT_MS)
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
def accessible(axe: Axe) -> Callable[..., None]:
    """Fail when axe-core finds a serious or critical accessibility violation on the page.

    ``accessible(page, aaa=True)`` also runs axe's WCAG AAA contrast rule (7:1 for text).
    """

    def check(page: Page, *, aaa: bool = False) -> None:
        options: dict[str, Any] = {"resultTypes": ["violations"]}
        if aaa:
            options["rules"] = {"color-contrast-enhanced": {"enabled": True}}
        results = axe.run(page, options=options)
        blocking = [
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(node["target"][0] for node in v["nodes"][:3])
            for v in results.response["violations"]
            if v["impact"] in BLOCKING_IMPACTS
        ]
        assert not blocking, "accessibility violations:\n" + "\n".join(blocking)

    return check


@pytest.fixture
def party_keys() -> dict[str, SigningKey]:
    """One key per party of procedurekit (one in every role)."""
    return {party: SigningKey.generate() for party in PARTIES}


@pytest.fixture
def live_hub_factory(
    tmp_path: Path, party_keys: dict[str, SigningKey]
) -> Iterator[Callable[..., LiveHub]]:
    """Start hubs with settings overrides (``trusting`` edits the trust store first).

    Each stops at teardown.
    """
    running: list[tuple[ServerThread, httpx.Client]] = []

    def start(
        *, trusting: Callable[[TrustStore], TrustStore] | None = None, **overrides: Any
    ) -> LiveHub:
        defaults: dict[str, Any] = {
            "data_dir": tmp_path / f"hub{len(running)}",
            "trust_reload_seconds": 0.2,
        }
        settings = Settings(**(defaults | overrides))
        settings.trust_store_path.parent.mkdir(parents=True, exist_ok=True)
        store = trust_store(party_keys)
        (trusting(store) if trusting else store).save(settings.trust_store_path)
        app = create_app(settings, registry=CollectorRegistry())
        thread = ServerThread(TestServer(app, host="127.0.0.1", port=0))
        thread.start()
        url = f"http://127.0.0.1:{thread.server.port}"
        http = httpx.Client(base_url=url, timeout=30)
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


@pytest.fixture
def village_hub(live_hub_factory: Callable[..., LiveHub], tmp_path: Path) -> LiveHub:
    """A hub whose county reviewer issues codes and whose village :data:`VILLAGE` (试验村)
    must report monthly (a module's ``hub`` fixture gives it to its tests)."""
    units = tmp_path / "units.csv"
    units.write_text(f"code,name\n{VILLAGE},试验村\n", encoding="utf-8")
    return live_hub_factory(trusting=county_may_also_send(CODE_REQUEST), reporting_units=units)


@pytest.fixture
def hub(live_hub_factory: Callable[..., LiveHub]) -> LiveHub:
    """A hub whose county reviewer issues codes (a module that needs other settings
    defines its own)."""
    return live_hub_factory(trusting=county_may_also_send(CODE_REQUEST))
