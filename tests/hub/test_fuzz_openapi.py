"""Property-based fuzzing of the whole HTTP API from the hub's own ``/openapi.json``.

schemathesis reads the document the hub publishes and, for every operation (all of
them: none is excluded), generates requests that fit it and requests that break it:
its coverage phase (boundary values, wrong types, missing required and unexpected
parameters, methods the path does not have) and its fuzzing phase (``MAX_EXAMPLES``
positive and as many negative examples). For each answer:

- no 5xx;
- the status is documented for the operation, the media type is a documented one and
  the body validates against the documented schema (schemathesis's checks), and the
  suite's own contract check (``openapi_contract``) finds nothing, requests the hub
  accepted included;
- every 4xx is ``application/problem+json`` with ``type``, ``title`` and ``status``
  (the status equal to the HTTP status);
- a refused request stores nothing: the ledger's record count and the audit chain's
  length are the same after a 4xx as before it.

Credentials: see :func:`_credentials` (a valid read token for operations that declare
bearer security, so their parameters are fuzzed past the gate). Signed bodies
(``application/jose``) are not generated: a valid JWS over a fuzzed payload is beyond
the document, so those POSTs are fuzzed as garbage and must be refused with a
problem, not a 500.

Checks left out, and why: ``negative_data_rejection`` and
``positive_data_acceptance`` judge whether the hub *accepts* what the document allows;
most operations also need a signature or a token of a given role, so a well-formed
request is rightly refused (401/403) and both would report every such refusal.

Bounded and reproducible: a fixed seed, derandomized, no example database; about
3,000 requests, 30 s on two shared cores. One hub serves the module (one start, not
69); the contract middleware is put on it by hand, since the autouse fixture patches
test servers only after module fixtures have started them. The document is loaded
at collection (schemathesis parametrizes one test per operation; its lazy
``from_fixture`` loader needs a pytest internal that pytest 9 removed), and
:func:`test_the_hub_serves_the_fuzzed_document` proves the running hub serves it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import schemathesis
from aiohttp.test_utils import TestServer
from hubkit import write_trust_store
from hypothesis import HealthCheck, settings
from livehub import ServerThread
from openapi_contract import ContractCheck
from prometheus_client import CollectorRegistry
from schemathesis import Case
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from certhub.hub.api.openapi import openapi_document
from certhub.hub.core.keys import STORE
from certhub.hub.core.settings import Settings
from certhub.hub.runtime.app import create_app
from certhub.security import SigningKey, issue_read_token

MAX_EXAMPLES = 15
BARE_EVERY = 4
SEED = 20261207
PARTIES = ("city", "other-city", "channel", "province")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@dataclass
class FuzzedHub:
    """A hub on a real port, the keys it trusts, and the contract check on its answers."""

    url: str
    thread: ServerThread
    keys: dict[str, SigningKey]
    contract: ContractCheck
    sent: int = 0  # secured examples sent so far; every BARE_EVERY-th also goes bare

    def footprint(self) -> tuple[int, int]:
        """The ledger's record count and the audit chain's length, read on the hub's loop."""
        store = self.thread.server.app[STORE]

        async def measure() -> tuple[int, int]:
            audit = await store.audit_entries(0, 1_000_000)
            return await store.count(), len(audit)

        return asyncio.run_coroutine_threadsafe(measure(), self.thread.loop).result(30)

    def bearer(self) -> dict[str, str]:
        """A fresh read token of the province, who may read every area."""
        token = issue_read_token(self.keys["province"], sender="province")
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def fuzzed_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzedHub]:
    """One hub with default settings for the whole module, its answers contract-checked."""
    settings_ = Settings(data_dir=tmp_path_factory.mktemp("fuzz") / "data")
    keys = {party: SigningKey.generate() for party in PARTIES}
    write_trust_store(settings_.trust_store_path, keys)
    app = create_app(settings_, registry=CollectorRegistry())
    contract = ContractCheck()
    # A plain Callable to mypy, not aiohttp's Middleware protocol (conftest's app is Any).
    app.middlewares.insert(0, contract.middleware)  # type: ignore[arg-type]
    thread = ServerThread(TestServer(app, host="127.0.0.1", port=0))
    thread.start()
    try:
        yield FuzzedHub(f"http://127.0.0.1:{thread.server.port}", thread, keys, contract)
    finally:
        thread.stop()


# A compact JWS is text on the wire; fuzzed values (strings or not) go as schemathesis
# sends text/plain, so a garbage "signed message" reaches the verifier.
schemathesis.serializer.alias("application/jose", "text/plain")
# Evidence uploads: a PDF is bytes to schemathesis, as the other binary media types are.
schemathesis.serializer.alias("application/pdf", "application/octet-stream")
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {
            "mode": "all",
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            "database": "none",
        },
    }
)
# Built at collection (schemathesis parametrizes one test per operation from it); the
# hub serves this same document, which test_the_hub_serves_the_fuzzed_document proves.
schema = schemathesis.openapi.from_dict(openapi_document(), config=CONFIG)


def test_the_hub_serves_the_fuzzed_document(fuzzed_hub: FuzzedHub) -> None:
    """What is fuzzed is what the running hub publishes at ``/openapi.json``."""
    served = httpx.get(f"{fuzzed_hub.url}/openapi.json", timeout=30)
    assert served.json() == json.loads(json.dumps(openapi_document()))


def _secured(case: Case[Any]) -> bool:
    """Whether the operation declares bearer security (a read token gets past its gate)."""
    requirements = case.operation.definition.raw.get("security", [])
    return any("bearer" in requirement for requirement in requirements)


def _credentials(case: Case[Any], hub: FuzzedHub) -> list[dict[str, str] | None]:
    """The headers to send ``case`` with, one request each.

    A secured operation gets a valid read token, so its parameters are fuzzed past the
    authentication gate, unless schemathesis generated an ``Authorization`` of its own
    (a hostile one: sent as is). One example in ``BARE_EVERY`` also goes without any:
    routes check the token first, so more would only repeat the same 401.
    """
    own = any(name.lower() == "authorization" for name in case.headers or {})
    if not _secured(case) or own:
        return [None]
    hub.sent += 1
    token = hub.bearer()
    return [token, None] if hub.sent % BARE_EVERY == 0 else [token]


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_answer_keeps_the_contract(case: Case[Any], fuzzed_hub: FuzzedHub) -> None:
    """No 5xx, documented answers, problems for refusals, nothing stored by a refusal."""
    for headers in _credentials(case, fuzzed_hub):
        send(case, fuzzed_hub, headers)


def send(case: Case[Any], hub: FuzzedHub, headers: dict[str, str] | None) -> None:
    """Send ``case`` (with ``headers`` on top) and hold its answer to the contract."""
    before = hub.footprint()
    checked = len(hub.contract.violations)
    response = case.call(base_url=hub.url, headers=headers, timeout=30)
    said = f"{case.method} {case.formatted_path} -> {response.status_code}"
    case.validate_response(response, checks=CHECKS)
    if 400 <= response.status_code < 500:
        media = next(iter(response.headers.get("content-type", [])), "")
        assert media.startswith("application/problem+json"), f"{said} {media}"
        problem: dict[str, Any] = response.json()
        assert {"type", "title", "status"} <= problem.keys(), f"{said} {problem}"
        assert problem["status"] == response.status_code, f"{said} {problem}"
        assert hub.footprint() == before, f"{said}: a refused request stored something"
    assert hub.contract.violations[checked:] == [], said
