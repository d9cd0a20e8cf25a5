"""The errors every certhub adapter raises, and nothing else.

Third-party errors (httpx, zeep, lxml, jsonschema) are translated at the
adapter boundary with ``raise … from exc``; callers only ever see this tree.
Messages never hold a full resident ID number.

Exceptions::

    AdapterError                  root of everything an adapter raises
    ├── TransientError            worth trying again later (outbox / dispatcher may redeliver)
    │   ├── DepartmentUnavailable connection refused or reset, HTTP 5xx / 429, SOAP Server fault
    │   ├── DepartmentTimeout     no complete answer within the per-attempt timeout
    │   ├── CircuitOpen           the breaker refuses calls for now (never retried in-call)
    │   └── BulkheadFull          too many calls to this department in flight (never retried)
    ├── PermanentError            the same request will fail the same way; never retried
    │   ├── RequestRejected       HTTP 4xx, SOAP Client fault: the department refused the request
    │   ├── ResponseInvalid       the answer breaks the contract (WSDL / OpenAPI / canonical schema)
    │   │   ├── UnsafePayload     XML with a DTD, entity declarations or external references
    │   │   └── ResponseTooLarge  the body exceeds ``max_response_bytes``
    │   └── SignatureRejected     the department's signature over the answer does not verify
    └── AdapterSetupError         configuration or lookup problem, raised at start-up
        └── AdapterNotFound       no adapter of that name in ``certhub.adapters`` ("did you mean …")

Which transient errors the policy retries is declared per adapter in its
``transient_errors`` tuple; :class:`CircuitOpen` and :class:`BulkheadFull` are
refusals made locally and are never retried inside a call.
"""

from __future__ import annotations

from typing import ClassVar

from certhub.schemas import mask_ids_in_text

__all__ = [
    "AdapterError",
    "AdapterNotFound",
    "AdapterSetupError",
    "BulkheadFull",
    "CircuitOpen",
    "DepartmentTimeout",
    "DepartmentUnavailable",
    "PermanentError",
    "RequestRejected",
    "ResponseInvalid",
    "ResponseTooLarge",
    "SignatureRejected",
    "TransientError",
    "UnsafePayload",
]


class AdapterError(Exception):
    """Root of every error raised by a certhub adapter.

    ``outcome`` is the bounded metric label for the error; ``blames_department``
    says whether it counts as a failure of the department for the breaker.
    """

    outcome: ClassVar[str] = "error"
    blames_department: ClassVar[bool] = False

    def __init__(self, message: str, *, adapter: str = "", operation: str = "") -> None:
        super().__init__(mask_ids_in_text(message))
        self.adapter = adapter
        self.operation = operation

    def __str__(self) -> str:
        """The message, prefixed by ``adapter.operation`` when known."""
        where = ".".join(part for part in (self.adapter, self.operation) if part)
        text = super().__str__()
        return f"{where}: {text}" if where else text


class TransientError(AdapterError):
    """The call may succeed if made again later."""

    outcome = "transient"
    blames_department = True


class DepartmentUnavailable(TransientError):
    """The department could not be reached or answered with a server error.

    ``retry_after`` holds the department's ``Retry-After`` in seconds, if any.
    """

    outcome = "unavailable"

    def __init__(
        self,
        message: str,
        *,
        adapter: str = "",
        operation: str = "",
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, adapter=adapter, operation=operation)
        self.status = status
        self.retry_after = retry_after


class DepartmentTimeout(TransientError):
    """No complete answer arrived within the per-attempt timeout."""

    outcome = "timeout"


class CircuitOpen(TransientError):
    """The circuit breaker is open: the department was not called.

    ``retry_after`` is the time in seconds until a probe will be allowed.
    """

    outcome = "circuit_open"
    blames_department = False

    def __init__(
        self, message: str, *, adapter: str = "", operation: str = "", retry_after: float = 0.0
    ) -> None:
        super().__init__(message, adapter=adapter, operation=operation)
        self.retry_after = retry_after


class BulkheadFull(TransientError):
    """Too many calls to this department are in flight or waiting."""

    outcome = "bulkhead_full"
    blames_department = False


class PermanentError(AdapterError):
    """Trying the same request again will fail the same way."""

    outcome = "permanent"


class RequestRejected(PermanentError):
    """The department refused the request (HTTP 4xx, SOAP Client fault)."""

    outcome = "rejected"

    def __init__(
        self, message: str, *, adapter: str = "", operation: str = "", status: int | None = None
    ) -> None:
        super().__init__(message, adapter=adapter, operation=operation)
        self.status = status


class ResponseInvalid(PermanentError):
    """The department's answer does not follow the contract."""

    outcome = "invalid"
    blames_department = True


class UnsafePayload(ResponseInvalid):
    """XML carrying a DTD, entity declarations or external references was refused."""

    outcome = "unsafe"


class ResponseTooLarge(ResponseInvalid):
    """The answer's body is larger than the adapter's ``max_response_bytes``."""

    outcome = "too_large"


class SignatureRejected(PermanentError):
    """The department's signature over its answer is missing or does not verify."""

    outcome = "signature"
    blames_department = True


class AdapterSetupError(AdapterError):
    """An adapter cannot be found or configured; raised at start-up, not per call."""

    outcome = "setup"


class AdapterNotFound(AdapterSetupError, LookupError):
    """No adapter of the given name is registered in the ``certhub.adapters`` group."""

    outcome = "not_found"
