"""The fault behaviour every department adapter must show, written once.

A department suite inherits :class:`FaultContract` and provides ``adapter``,
``faults`` (a :class:`~tests.contract.support.FaultControl`) and ``call`` (one
representative department call). Only mock-backed suites inherit it: real
departments cannot be told to fail.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest

from certhub.adapters import (
    Adapter,
    AdapterError,
    CircuitOpen,
    CircuitState,
    DepartmentTimeout,
    DepartmentUnavailable,
    RequestRejected,
    ResponseInvalid,
    ResponseTooLarge,
)

from .support import FaultControl, sample

Call = Callable[[], Awaitable[Any]]
Refusal = TypeVar("Refusal", bound=AdapterError)


async def always(
    faults: FaultControl, call: Call, kind: str, refusal: type[Refusal], **config: Any
) -> Refusal:
    """Every answer is the fault ``kind`` (with the mock's ``config``): ``call`` fails with
    ``refusal``."""
    await faults.set(rates={kind: 1.0}, **config)
    with pytest.raises(refusal) as caught:
        await call()
    return caught.value


async def refused_at_once(
    faults: FaultControl, call: Call, kind: str, refusal: type[Refusal]
) -> Refusal:
    """:func:`always`, and the call made one request: a permanent fault is never retried."""
    refused = await always(faults, call, kind, refusal)
    assert await faults.requests() == 1
    return refused


class FaultContract:
    """Transient faults retried, persistent ones open the circuit, permanent never retried."""

    async def test_transient_error_is_retried_then_succeeds(
        self, adapter: Adapter, faults: FaultControl, call: Call
    ) -> None:
        await faults.script("error", "error")
        await call()
        assert await faults.requests() == 3
        registry = adapter.options.metrics.registry
        assert sample(registry, "certhub_adapter_retries_total", adapter=adapter.name,
                      operation=self.operation) == 2  # fmt: skip

    async def test_persistent_error_opens_the_circuit(
        self, adapter: Adapter, faults: FaultControl, call: Call
    ) -> None:
        await always(faults, call, "error", DepartmentUnavailable)
        assert adapter.policy.breaker.state is CircuitState.open
        with pytest.raises(CircuitOpen):
            await call()
        assert await faults.requests() == 3  # the open circuit kept the second call home
        registry = adapter.options.metrics.registry
        assert sample(registry, "certhub_adapter_circuit_state", adapter=adapter.name) == 2

    async def test_permanent_refusal_is_never_retried(
        self, adapter: Adapter, faults: FaultControl, call: Call
    ) -> None:
        await refused_at_once(faults, call, "reject", RequestRejected)
        assert adapter.policy.breaker.state is CircuitState.closed

    async def test_throttle_honours_retry_after(
        self, adapter: Adapter, faults: FaultControl, call: Call
    ) -> None:
        await faults.script("throttle", retry_after=3)
        await call()
        assert list(adapter.policy.planned_waits) == [3.0]

    @pytest.mark.parametrize("kind", ["hang", "reset"])
    async def test_one_hang_or_connection_reset_is_retried(
        self, faults: FaultControl, call: Call, kind: str
    ) -> None:
        await faults.script(kind)  # a hang ends in the attempt's timeout
        await call()
        assert await faults.requests() == 2

    async def test_persistent_hang_ends_in_a_timeout(
        self, faults: FaultControl, call: Call
    ) -> None:
        await always(faults, call, "hang", DepartmentTimeout)

    async def test_malformed_payload_is_permanent(self, faults: FaultControl, call: Call) -> None:
        refusal = await refused_at_once(faults, call, "malformed", ResponseInvalid)
        assert not isinstance(refusal, ResponseTooLarge)

    async def test_huge_response_is_refused(self, faults: FaultControl, call: Call) -> None:
        await always(faults, call, "huge", ResponseTooLarge, huge_bytes=2 * 1024 * 1024)

    @pytest.mark.parametrize(
        "kind", ["error", "reject", "hang", "reset", "malformed", "huge", "throttle"]
    )
    async def test_caller_only_ever_sees_certhub_errors(
        self, faults: FaultControl, call: Call, kind: str
    ) -> None:
        seen = await always(
            faults, call, kind, AdapterError, huge_bytes=2 * 1024 * 1024, retry_after=0
        )
        assert type(seen).__module__ == "certhub.adapters.errors"

    async def test_latency_within_the_timeout_is_tolerated(
        self, faults: FaultControl, call: Call
    ) -> None:
        await faults.set(latency_ms=(5, 20), seed=3)
        await call()

    operation: str = ""
