"""How an adapter is configured: endpoint, timeouts, resilience limits and key files.

Each adapter class names its own model (a subclass of :class:`AdapterConfig`)
as its base's parameter, ``Adapter[SmsConfig]``, which becomes its ``config_model``;
the hub keeps one raw mapping per adapter name in its
settings and lets :func:`adapters.create_adapter` validate it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Self

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, model_validator

__all__ = ["AdapterConfig", "PolicyConfig"]

MiB = 1024 * 1024


class PolicyConfig(BaseModel):
    """Limits of the resilience policy wrapped around every department call."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    attempt_timeout: float = Field(default=5.0, gt=0, description="Seconds one attempt may take.")
    deadline: float = Field(
        default=20.0, gt=0, description="Seconds all attempts of one call may take together."
    )
    max_attempts: int = Field(default=3, ge=1, le=10, description="Attempts per call, first incl.")
    backoff_initial: float = Field(
        default=0.2, ge=0, description="Upper bound of the first full-jitter backoff, seconds."
    )
    backoff_max: float = Field(default=5.0, ge=0, description="Cap of any one backoff, seconds.")
    max_retry_after: float = Field(
        default=30.0, ge=0, description="Longest Retry-After honoured; longer ones end the call."
    )
    failure_threshold: int = Field(
        default=5, ge=1, description="Consecutive failed attempts that open the circuit."
    )
    reset_timeout: float = Field(
        default=30.0, gt=0, description="Seconds the circuit stays open before a half-open probe."
    )
    max_concurrent: int = Field(default=16, ge=1, description="Bulkhead: calls in flight.")
    max_waiting: int = Field(
        default=64, ge=0, description="Bulkhead: calls that may wait for a slot; more are refused."
    )

    @model_validator(mode="after")
    def _attempt_fits_deadline(self) -> Self:
        if self.attempt_timeout > self.deadline:
            raise ValueError("attempt_timeout must not exceed deadline")
        return self


class AdapterConfig(BaseModel):
    """Settings common to every department adapter."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = Field(default=True, description="A disabled adapter is not started.")
    base_url: AnyHttpUrl = Field(description="Department endpoint: SOAP address or REST root.")
    connect_timeout: float = Field(default=2.0, gt=0, description="TCP/TLS connect timeout, s.")
    max_response_bytes: int = Field(
        default=4 * MiB, ge=1024, description="Larger answers are refused as ResponseTooLarge."
    )
    api_key_path: Path | None = Field(
        default=None, description="File holding the bearer credential for the department."
    )
    department_key_path: Path | None = Field(
        default=None, description="JWK file of the department's public key, to verify its answers."
    )
    policy: PolicyConfig = Field(default_factory=PolicyConfig)

    def api_key(self) -> str | None:
        """The bearer credential read from ``api_key_path``, stripped, or None."""
        if self.api_key_path is None:
            return None
        return self.api_key_path.read_text(encoding="utf-8").strip()

    @property
    def root(self) -> str:
        """``base_url`` as a string without a trailing slash."""
        return str(self.base_url).rstrip("/")
