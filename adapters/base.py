"""What every department adapter shares: configuration, resilience policy, metrics.

A concrete adapter subclasses :class:`Adapter` parametrised by its
configuration model (``class SmsGatewayAdapter(Adapter[SmsConfig])``, which
is also the ``config_model`` the registry validates with), names its operations and the errors it
declares transient, and implements one or more role protocols from
:mod:`certhub.adapters.protocols` (implementing a role's protocol is how an adapter
says it plays that role), running each department call through
:meth:`Adapter.call`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import KW_ONLY, dataclass
from typing import Any, ClassVar, Generic, TypeVar, get_args, get_origin

import httpx

from certhub.monitoring.adapter_metrics import AdapterMetrics

from .config import AdapterConfig
from .errors import DepartmentTimeout, DepartmentUnavailable, TransientError
from .policy import ResiliencePolicy

__all__ = ["Adapter", "AdapterOptions"]

T = TypeVar("T")
ConfigT = TypeVar("ConfigT", bound=AdapterConfig)


@dataclass(frozen=True)
class AdapterOptions:
    """Process-wide collaborators every adapter is built with (not configuration).

    Args:
        metrics: where call metrics go.
        transport: replaces the network for every HTTP call (tests, benchmarks).
        testing: the policy computes backoffs but does not sleep.
        clock: monotonic clock for deadlines and the breaker.
        rng: jitter randomness; seed for reproducible waits.
    """

    metrics: AdapterMetrics
    _: KW_ONLY
    transport: httpx.AsyncBaseTransport | None = None
    testing: bool = False
    clock: Callable[[], float] = time.monotonic
    rng: random.Random | None = None


class Adapter(Generic[ConfigT]):
    """Base of department adapters: holds the config and runs calls under the policy.

    ``config_model`` is the class ``ConfigT`` stands for, taken from the
    ``Adapter[SomeConfig]`` base when the subclass is defined: the registry
    validates settings with it, so ``self.config`` is of that type.
    """

    name: ClassVar[str]
    config_model: ClassVar[type[AdapterConfig]] = AdapterConfig
    operations: ClassVar[frozenset[str]] = frozenset()
    transient_errors: ClassVar[tuple[type[TransientError], ...]] = (
        DepartmentUnavailable,
        DepartmentTimeout,
    )

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Set ``config_model`` from the ``Adapter[SomeConfig]`` the subclass names as base."""
        super().__init_subclass__(**kwargs)
        for base in cls.__dict__.get("__orig_bases__", ()):
            if get_origin(base) is not Adapter:
                continue
            (config,) = get_args(base)
            if isinstance(config, type) and issubclass(config, AdapterConfig):  # not a TypeVar
                cls.config_model = config

    def __init__(self, config: ConfigT, options: AdapterOptions) -> None:
        self.config: ConfigT = config
        self.options = options
        self.policy = ResiliencePolicy(
            self.name,
            config.policy,
            transient_errors=self.transient_errors,
            metrics=options.metrics,
            testing=options.testing,
            clock=options.clock,
            rng=options.rng,
        )

    async def call(self, operation: str, attempt: Callable[[], Awaitable[T]]) -> T:
        """Run one department call (``attempt`` may run several times) under the policy."""
        if operation not in self.operations:
            raise ValueError(f"{self.name} has no operation {operation!r}")
        return await self.policy.call(operation, attempt)

    async def aclose(self) -> None:
        """Release the adapter's connections; subclasses extend this."""

    def __repr__(self) -> str:
        """Name and endpoint, never credentials."""
        return f"<{type(self).__name__} {self.name} {self.config.root}>"
