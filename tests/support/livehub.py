"""A hub on a real port of 127.0.0.1, run by its own event loop in a thread, and its parties.

The browser tests need the main thread free of a running event loop (Playwright's
sync API), so the hub runs beside them; ``tests/browser/conftest.py`` starts it.
"""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import dataclass
from typing import Any

import httpx
from aiohttp.test_utils import TestServer

from certhub.hub.core.settings import Settings
from certhub.security import SigningKey, TrustStore, issue_read_token, sign_compact


class ServerThread:
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

    def push(self, path: str, party: str, payload: dict[str, Any]) -> httpx.Response:
        """Sign ``payload`` as ``party`` and POST it to ``path``."""
        return self.post_jws(path, self.sign(payload, party=party))

    def read(self, path: str, party: str = "province", **params: str) -> Any:
        """GET ``path`` with ``party``'s read token; the JSON answer (a 200 is required)."""
        response = self.http.get(path, params=params, headers=self.bearer(party))
        assert response.status_code == 200, response.text
        return response.json()

    def trust(self, jwk: dict[str, Any], **permissions: Any) -> None:
        """Add ``jwk`` to the trust store file; the hub reloads it within its reload period."""
        path = self.settings.trust_store_path
        TrustStore.load(path).add(jwk, **permissions).save(path)
