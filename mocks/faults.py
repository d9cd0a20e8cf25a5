"""Fault injection for the mock departments, reproducible by seed.

Per request the injector draws, in a fixed order, whether each fault kind
fires (one random number per kind, always), plus a latency — so a seed and a
configuration give the same sequence every run. A ``script`` of kinds is
played first, one per request, for tests that need an exact sequence
("fail twice, then answer").
"""

from __future__ import annotations

import random
from collections import Counter
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["FaultConfig", "FaultInjector", "FaultKind"]

MiB = 1024 * 1024


class FaultKind(StrEnum):
    """What a mock does to one request instead of (or while) answering it."""

    none = "none"  # answer normally (useful in scripts)
    error = "error"  # server failure in the protocol's own form: 503 problem / SOAP Server fault
    throttle = "throttle"  # HTTP 429 with Retry-After
    reject = "reject"  # permanent refusal: HTTP 400 problem / SOAP Client fault
    hang = "hang"  # never answer (until the client gives up)
    reset = "reset"  # TCP reset before any answer
    malformed = "malformed"  # truncated JSON / XML
    bad_signature = "bad_signature"  # answer signed over other bytes (signing mocks only)
    huge = "huge"  # body of ``huge_bytes``
    dtd = "dtd"  # XML with an entity-expansion DTD ("billion laughs") (SOAP mocks only)
    external_entity = "external_entity"  # XML with an external entity (SOAP mocks only)


Rate = Annotated[float, Field(ge=0.0, le=1.0)]


class FaultConfig(BaseModel):
    """How one mock misbehaves; settable from the mocks config or ``PUT /_admin/faults``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seed: int = 0
    latency_ms: tuple[int, int] = (0, 0)
    rates: dict[FaultKind, Rate] = Field(default_factory=dict)
    script: tuple[FaultKind, ...] = ()
    retry_after: int | None = Field(default=None, ge=0)
    hang_seconds: float = Field(default=600.0, gt=0)
    huge_bytes: int = Field(default=8 * MiB, ge=1)


class FaultInjector:
    """Draws the fault for each request from a :class:`FaultConfig`."""

    def __init__(self, config: FaultConfig | None = None) -> None:
        self.configure(config or FaultConfig())

    def configure(self, config: FaultConfig) -> None:
        """Replace the configuration and restart the seeded sequence."""
        self.config = config
        self._rng = random.Random(config.seed)
        self._script = list(config.script)
        self.requests = 0
        self.fired: Counter[str] = Counter()

    def draw(self) -> tuple[FaultKind, float]:
        """The fault for the next request and the latency (seconds) to add before it."""
        self.requests += 1
        low, high = self.config.latency_ms
        latency = self._rng.uniform(low, high) / 1000 if high > 0 else 0.0
        rolls = [(kind, self._rng.random()) for kind in FaultKind if kind is not FaultKind.none]
        if self._script:
            kind = self._script.pop(0)
        else:
            fired = [k for k, roll in rolls if roll < self.config.rates.get(k, 0.0)]
            kind = fired[0] if fired else FaultKind.none
        self.fired[kind.value] += 1
        return kind, latency
