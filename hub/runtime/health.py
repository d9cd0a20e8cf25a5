"""Readiness: a registry of named checks, each answering "can this hub do its job now?".

``GET /readyz`` runs every registered check concurrently, each under a
timeout, and answers 503 with per-check detail when any fails. A resource
adds its own check where it is wired — the broker binding, for instance,
calls ``app[READINESS].register("broker", connection_check)`` in its
cleanup context — so this module never needs to know about it.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from aiohttp import web

from certhub.hub.core.keys import KEYRING, METRICS, READINESS, STORE, TRUST
from certhub.hub.core.periodic import FailingRounds
from certhub.monitoring.collectors import KeyExpiryCollector, KeyValidity
from certhub.monitoring.labels import sender_label
from certhub.schemas import mask_ids_in_text

log = logging.getLogger(__name__)

# A file-system path at the start of a word (absolute, home-relative or a drive);
# "postgresql://host/db" is not one: its slashes follow a colon.
_PATH = re.compile(r"""(?:(?<=^)|(?<=[\s'"(=]))(?:~|[A-Za-z]:)?[/\\][^\s'"()]*""")

ReadinessCheck = Callable[[], Awaitable[str]]
"""Returns a short detail when healthy; raises (any exception) when not."""


class NotReady(Exception):
    """A readiness check's plain "no", with the reason as message."""


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of one readiness check."""

    name: str
    ok: bool
    detail: str
    seconds: float

    def as_dict(self) -> dict[str, object]:
        """JSON form for the ``/readyz`` body."""
        return {"ok": self.ok, "detail": self.detail, "duration_ms": round(self.seconds * 1e3, 1)}


class Readiness:
    """Named readiness checks; ready only when every one passes."""

    def __init__(self, *, timeout: float = 2.0) -> None:
        self._checks: dict[str, ReadinessCheck] = {}
        # probed every few seconds through an outage: its start, a line a minute, its end
        self._failing: dict[str, FailingRounds] = {}
        self._timeout = timeout

    def register(self, name: str, check: ReadinessCheck) -> None:
        """Add ``check`` under ``name``; a name can be registered once."""
        if name in self._checks:
            raise ValueError(f"readiness check {name!r} is already registered")
        self._checks[name] = check
        self._failing[name] = FailingRounds(f"readiness check {name}", logger=log)

    @property
    def names(self) -> list[str]:
        """Registered check names, in registration order."""
        return list(self._checks)

    async def run(self) -> list[CheckResult]:
        """Run all checks concurrently; a raise or a timeout is a failed check."""
        return list(await asyncio.gather(*(self._one(n, c) for n, c in self._checks.items())))

    async def _one(self, name: str, check: ReadinessCheck) -> CheckResult:
        started = time.perf_counter()
        failing = self._failing[name]
        try:
            detail = await asyncio.wait_for(check(), self._timeout)
        except TimeoutError:
            detail = f"no answer within {self._timeout:g} s"
            failing.failed(TimeoutError(detail), traceback=False)
        except Exception as exc:  # any failure of a probe means "not ready", with its reason
            failing.failed(exc, traceback=False)  # the log keeps the paths
            detail = public_detail(exc)
        else:
            failing.succeeded()
            return CheckResult(name, True, detail, time.perf_counter() - started)
        return CheckResult(name, False, detail, time.perf_counter() - started)


def public_detail(exc: BaseException) -> str:
    """Why a check failed, for anyone to read: no file-system paths, no ID numbers.

    ``/readyz`` is anonymous; where the hub keeps its files is for its log.
    """
    text = str(exc) or type(exc).__name__
    return mask_ids_in_text(_PATH.sub("<path>", text))


def install_health(app: web.Application) -> None:
    """Register the hub's own readiness checks and its scrape-time key-expiry gauge."""
    readiness = Readiness()
    readiness.register("store", lambda: _store_writable(app))
    readiness.register("trust_store", lambda: _trust_loaded(app))
    readiness.register("signing_key", lambda: _signing_key(app))
    app[READINESS] = readiness
    app[METRICS].registry.register(KeyExpiryCollector(lambda: _trusted_keys(app)))


async def _store_writable(app: web.Application) -> str:
    store = app.get(STORE)
    if store is None:
        raise NotReady("the ledger is not open yet")
    await store.ping()
    return "ledger readable and writable"


async def _trust_loaded(app: web.Application) -> str:
    trust = app.get(TRUST)
    if trust is None:
        raise NotReady("the trust store is not loaded yet")
    now = datetime.now(UTC)
    total = len(trust.store)
    usable = sum(1 for key in trust.store if not key.revoked and not key.is_expired(now))
    if usable == 0:
        raise NotReady(f"no usable sender key ({total} loaded, none valid and unrevoked)")
    return f"{usable} of {total} keys usable"


async def _signing_key(app: web.Application) -> str:
    keyring = app.get(KEYRING)
    if keyring is None:
        raise NotReady("the hub's signing keys are not loaded yet")
    return f"active key {keyring.active.kid}"


def _trusted_keys(app: web.Application) -> Iterable[KeyValidity]:
    trust = app.get(TRUST)
    if trust is None:
        return []
    # People's keys (thousands) by role, systems' by sender: a bounded label.
    return [
        (sender_label(key.sender, key.role), key.not_after)
        for key in trust.store
        if not key.revoked
    ]
