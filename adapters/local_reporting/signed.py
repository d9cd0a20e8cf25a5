"""What the local reporting adapters share: settings, the platform's keys, errors per field.

A city platform signs what it sends with its own Ed25519/ES256 key, held in
a JWK Set (a certhub trust store) the adapter is configured with. Signature
and permission failures become :class:`~certhub.adapters.errors.SignatureRejected`;
a body that is not a signed message at all becomes
:class:`~certhub.adapters.errors.RequestRejected`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, Final

from pydantic import AnyHttpUrl, Field, ValidationError

from certhub.schemas import mask_ids_in_text
from certhub.security import (
    MalformedMessage,
    MessageVerifier,
    SecurityError,
    TrustStore,
    TrustStoreError,
    VerifiedMessage,
)
from certhub.security.trust import TrustStoreFile

from ..base import Adapter, AdapterOptions
from ..config import AdapterConfig
from ..errors import AdapterError, AdapterSetupError, RequestRejected, SignatureRejected
from ..types import InboundBatch, ItemError

__all__ = [
    "PlatformConfig",
    "PlatformKeys",
    "check_size",
    "field_errors",
    "load_verifier",
    "observed",
    "verify_signed",
]

KiB: Final = 1024


class PlatformConfig(AdapterConfig):
    """Settings of an adapter a city platform pushes to."""

    base_url: AnyHttpUrl = Field(
        default=AnyHttpUrl("http://127.0.0.1/"), description="Unused: the platform pushes to us."
    )
    platform_keys_path: Path = Field(description="JWK Set (trust store) of the platform's keys.")
    max_body_bytes: int = Field(default=2 * 1024 * KiB, ge=KiB)


def load_verifier(path: Path) -> MessageVerifier:
    """A verifier over the platform's keys as they are now.

    Raises:
        AdapterSetupError: the key file is missing or invalid.
    """
    return MessageVerifier(PlatformKeys(path).file.store)


class PlatformKeys:
    """The platform's key file (a trust store) and a verifier over its current content.

    The hub reloads :attr:`file` with its own trust store (see ``trust_files``),
    so ``certhub trust add|revoke --store FILE`` reaches a running adapter.
    """

    def __init__(self, path: Path, *, what: str = "platform keys") -> None:
        """Load ``path`` now (``what`` names it in errors).

        Raises:
            AdapterSetupError: the key file is missing or invalid.
        """
        try:
            self.file = TrustStoreFile.open(path)
        except TrustStoreError as exc:
            raise AdapterSetupError(f"{what} {path.name}: unusable: {exc}") from exc
        self._built: tuple[TrustStore, MessageVerifier] | None = None

    @property
    def verifier(self) -> MessageVerifier:
        """A verifier over the store in force (rebuilt only after a reload)."""
        store = self.file.store
        if self._built is None or self._built[0] is not store:
            self._built = (store, MessageVerifier(store))
        return self._built[1]


def check_size(body: bytes, limit: int) -> None:
    """Refuse bodies over ``limit`` bytes (413)."""
    if len(body) > limit:
        raise RequestRejected(f"body of {len(body)} bytes over the limit {limit}", status=413)


def verify_signed(verifier: MessageVerifier, token: bytes, typ: str) -> VerifiedMessage:
    """Verify ``token`` as a message of type ``typ``.

    Raises:
        RequestRejected: not a well-formed signed message (400).
        SignatureRejected: unknown key, bad signature, wrong sender or type.
    """
    try:
        return verifier.verify(token, allowed_types={typ})
    except MalformedMessage as exc:
        raise RequestRejected(f"not a signed message: {exc}", status=400) from exc
    except SecurityError as exc:
        raise SignatureRejected(f"{type(exc).__name__}: {exc}") from exc


def field_errors(
    exc: ValidationError, position: int, columns: Mapping[str, str]
) -> tuple[ItemError, ...]:
    """Per-field errors of a translation, named by native column; inputs never echoed."""
    errors = []
    seen: set[tuple[str, str]] = set()
    for error in exc.errors(include_input=False, include_url=False, include_context=False):
        path = ".".join(str(part) for part in error["loc"])
        column = next((name for prefix, name in columns.items() if path.startswith(prefix)), path)
        reason = mask_ids_in_text(error["msg"])
        if (column, reason) not in seen:
            seen.add((column, reason))
            errors.append(ItemError(position=position, column=column or None, reason=reason))
    return tuple(errors)


@contextmanager
def observed(adapter: Adapter[Any], operation: str) -> Iterator[None]:
    """Count and time one inbound translation in the adapter metrics.

    Inbound refusals do not go through the resilience policy: a sender's bad
    signatures must not open a circuit that then refuses good pushes.
    """
    metrics = adapter.options.metrics
    started = time.perf_counter()
    outcome = "ok"
    try:
        yield
    except AdapterError as exc:
        outcome = exc.outcome
        raise
    finally:
        metrics.requests.labels(adapter.name, operation, outcome).inc()
        metrics.duration.labels(adapter.name, operation).observe(time.perf_counter() - started)


class SignedPlatformAdapter(Adapter[PlatformConfig]):
    """A city platform that signs what it sends with its own key; subclasses translate.

    Construction (config check, the platform's verifier) and the metrics
    around ``translate`` are the same for every such platform.
    """

    operations: ClassVar[frozenset[str]] = frozenset({"translate"})
    produces = frozenset({"eligibility_report/v1", "zero_report/v1"})

    def __init__(self, config: PlatformConfig, options: AdapterOptions) -> None:
        """Load the platform's public keys."""
        super().__init__(config, options)
        self.platform_keys = PlatformKeys(config.platform_keys_path)

    @property
    def _verifier(self) -> MessageVerifier:
        return self.platform_keys.verifier

    def trust_files(self) -> dict[str, TrustStoreFile]:
        """The key files the hub reloads for this adapter (by a name for its logs)."""
        return {self.name: self.platform_keys.file}

    async def translate(
        self, body: bytes, headers: Mapping[str, str], params: Mapping[str, str]
    ) -> InboundBatch:
        """Verify and translate one push; each record an item or an error."""
        with observed(self, "translate"):
            return self._translate(body, headers, params)

    def _translate(
        self, body: bytes, headers: Mapping[str, str], params: Mapping[str, str]
    ) -> InboundBatch:
        raise NotImplementedError
