"""The settings that bound what one client or one coordinator's phone may do.

Part of :class:`~certhub.hub.core.settings.Settings` (which it is a base of, and which
reads them from ``CERTHUB_…``): who the client of a request is behind the proxies,
and how much a stolen phone may send before the county revokes its key.
"""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode

__all__ = ["BoundSettings"]


class BoundSettings(BaseSettings):
    """The bounds of :class:`~certhub.hub.core.settings.Settings`; never built alone."""

    coordinator_reports_per_hour: int = Field(
        default=60,
        ge=1,
        description="Reports one coordinator's key may file in a rolling hour (then 429).",
    )
    coordinator_uploads_per_hour: int = Field(
        default=60,
        ge=1,
        description="Evidence files one coordinator may upload in a rolling hour (then 429).",
    )
    trusted_proxies: Annotated[tuple[IPv4Network | IPv6Network, ...], NoDecode] = Field(
        default=(),
        description="Comma-separated addresses or CIDRs of the proxies in front of the hub whose"
        " X-Forwarded-For names the client (enrolment bounds, access log); empty = none.",
    )
    enrolment_ipv6_prefix: int = Field(
        default=64,
        ge=48,
        le=128,
        description="An IPv6 client counts in the enrolment codes' bound per client by its"
        " network of this many bits (a subscriber picks any address in its /64); 128 = per"
        " address.",
    )

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().lower() == "none":  # README's default
            return ()
        if isinstance(value, str):  # "10.0.0.1, 10.1.0.0/16": a host address is its own /32
            return tuple(_network(part.strip()) for part in value.split(",") if part.strip())
        return value


def _network(entry: str) -> IPv4Network | IPv6Network:
    """One entry, parsed here so a typo is named (the union's own error names its validators)."""
    try:
        return ip_network(entry)
    except ValueError:
        pass
    try:
        meant = ip_network(entry, strict=False)
    except ValueError:
        raise ValueError(f"{entry!r} is not an IP address or network (CIDR)") from None
    raise ValueError(f"{entry!r} is not a network: host bits set (did you mean {meant}?)")
