"""The coordinators' phone entrance in a browser against a live hub (tests/browser): the
county reviewer trusted to issue enrolment codes, a code asked for, a phone enrolled with
it, and the coordinators' keys the hub then trusts."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from livehub import LiveHub
from playwright.sync_api import Page, Request, expect
from procedurekit import STAFF, roster_entry

from certhub.mocks.population import Population
from certhub.security import TrustedKey, TrustStore

CODE_REQUEST = "enrolment_code_request/v1"
Shot = Callable[[Page, str], Path]
_KEPT_ON_THE_PHONE = """async () => {
  const db = await new Promise((done) => {
    const opening = indexedDB.open("certhub-entrance");
    opening.onsuccess = () => done(opening.result);
  });
  const all = (store) => new Promise((done) => {
    const reading = db.transaction(store).objectStore(store).getAll();
    reading.onsuccess = () => done(reading.result);
  });
  return JSON.stringify({ kv: await all("kv"), outbox: await all("outbox") });
}"""


def county_may_also_send(*types: str) -> Callable[[TrustStore], TrustStore]:
    """A live hub's ``trusting``: the county reviewer (county-1) may send ``types`` besides
    staff's messages (README: it issues enrolment codes and revokes phones)."""

    def trusting(store: TrustStore) -> TrustStore:
        entry = store.get(next(e.kid for e in store if e.sender == "county-1"))
        assert entry is not None
        return store.add(
            entry.key.to_jwk(),
            sender="county-1",
            may_send=[*STAFF, *types],
            may_read=True,
            role="county_reviewer",
        )

    return trusting


def enrolment_code(hub: LiveHub, village: str) -> str:
    """County staff ask the hub for a one-time code for a coordinator of ``village``."""
    payload = {"type": CODE_REQUEST, "village": village, "role": "coordinator"}
    response = hub.push("/v1/enrolment-codes", "county-1", payload)
    assert response.status_code == 201, response.text
    code: str = response.json()["code"]
    return code


def enrol(page: Page, code: str, shot: Shot | None = None) -> None:
    """Bind the phone (at the enrolment screen) with ``code``: the home screen shows."""
    page.get_by_label("登记码").fill(code)
    if shot:
        shot(page, "app-01-enrol")
    page.get_by_role("button", name="登记本机").click()
    expect(page.get_by_role("heading", name="首页")).to_be_visible()


def enrolled(page: Page, hub: LiveHub, village: str, shot: Shot | None = None) -> None:
    """The entrance opened on ``hub`` and the phone bound (:func:`enrol`) with a code for a
    coordinator of ``village``."""
    page.goto(f"{hub.url}/app/")
    enrol(page, enrolment_code(hub, village), shot)


def enrolled_with_list(page: Page, hub: LiveHub, region: dict[str, str], seed: int) -> Any:
    """A pensioner of ``region`` put on the roster, the phone enrolled for its village
    (:func:`enrolled`) and its list read once on 本村人员 (so kept on the phone): the person."""
    person = Population(seed=seed).person() | {"region": region}
    response = hub.push("/v1/roster", "province", roster_entry(person))
    assert response.status_code == 202, response.text
    enrolled(page, hub, region["village"])
    page.get_by_role("link", name="本村人员").click()
    expect(page.locator(".card", has_text=person["name"])).to_have_count(1)
    return person


def coordinators(hub: LiveHub) -> list[TrustedKey]:
    """The coordinators' keys in the hub's trust store, revoked ones included, in the order
    they were enrolled."""
    store = TrustStore.load(hub.settings.trust_store_path)
    return [entry for entry in store if entry.role == "coordinator"]


def expire(hub: LiveHub, sender: str) -> None:
    """The phone's key reaches its ``not_after`` (rewritten an hour ago; the hub reloads)."""
    path = hub.settings.trust_store_path
    store = TrustStore.load(path)
    entry = next(e for e in store if e.sender == sender)
    expired = replace(entry, not_after=datetime.now(UTC) - timedelta(hours=1))
    TrustStore([expired if e.kid == entry.kid else e for e in store]).save(path)


def kept_on_the_phone(page: Page) -> str:
    """Everything the entrance keeps in IndexedDB (its ``kv`` and ``outbox`` stores), as the
    browser writes it out in JSON (``{"kv": [...], "outbox": [...]}``): searched for what
    must not be there, or read with :func:`json.loads`."""
    kept: str = page.evaluate(_KEPT_ON_THE_PHONE)
    return kept


def stored_on_the_phone(page: Page) -> dict[str, int]:
    """How many entries each of the entrance's IndexedDB stores holds (``kv``, ``outbox``)."""
    kept = json.loads(kept_on_the_phone(page))
    return {store: len(entries) for store, entries in kept.items()}


def sign_report(
    page: Page, person: dict[str, Any], reason: str = "失踪", photo: Path | None = None
) -> Any:
    """Fill the blank report form for ``person`` with ``reason`` (its Chinese label) and
    ``photo`` (as the camera gives it), and tap 签名并上报: the report's card on 我的上报
    (sent, or queued without signal)."""
    page.get_by_role("link", name="上报", exact=True).click()
    page.get_by_label("姓名").fill(person["name"])
    page.get_by_label("身份证号").fill(person["id_number"])
    page.locator("label.choice", has_text=reason).click()
    if photo is not None:
        page.locator("#camera").set_input_files(photo)
        expect(page.locator(".photos img")).to_have_count(1)
    page.get_by_role("button", name="签名并上报").click()
    return page.locator(".card", has_text=person["name"])


def report_missing(page: Page, person: dict[str, Any]) -> tuple[Any, int]:
    """Fill and sign the report form for ``person`` (missing): the report's card, and the
    status the hub answered its push with."""
    with page.expect_response(lambda r: r.url.endswith("/v1/reports")) as pushed:
        card = sign_report(page, person)
    return card, pushed.value.status


def pushes_of(page: Page) -> list[Request]:
    """The reports ``page`` pushes from now on (POST /v1/reports), as they go out."""
    seen: list[Request] = []

    def pushed(request: Request) -> None:
        if request.method == "POST" and request.url.endswith("/v1/reports"):
            seen.append(request)

    page.on("request", pushed)
    return seen


_FLUSHED = """async () => {
  const { flush } = await import(new URL("hub.js", location.href).href);
  const { kv } = await import(new URL("db.js", location.href).href);
  await flush(await kv.get("identity"));
}"""


def flushed(page: Page) -> None:
    """The entrance's outbox flush run and awaited (the modules' own instances): every
    send it was going to try now has been tried."""
    page.evaluate(_FLUSHED)
