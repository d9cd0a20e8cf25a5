"""The access log names the client: behind a trusted proxy, the one the proxy names."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from hub_fixtures import hub_factory, party_keys
from logkit import logged

__all__ = ["hub_factory", "party_keys"]

# What the proxy in front sends: the phone wrote the left-most hop, the proxy
# appended the address it saw (203.0.113.7), then a second trusted proxy its own.
FORWARDED = "198.51.100.1, 203.0.113.7, 10.8.0.5"


@pytest.mark.parametrize(
    ("trusted", "client"),
    [
        ("127.0.0.1, 10.8.0.0/16", "203.0.113.7"),  # the tests' peer is the trusted proxy
        ("10.8.0.0/16", "127.0.0.1"),  # the peer is not: its header is its own writing
        ("", "127.0.0.1"),  # nobody trusted (the default)
    ],
)
async def test_a_read_is_logged_with_the_client_address(
    hub_factory: Callable[..., Any], json_logs: io.StringIO, trusted: str, client: str
) -> None:
    hub = await hub_factory(trusted_proxies=trusted)
    response = await hub.client.get(
        "/v1/reports", headers={**hub.bearer(), "X-Forwarded-For": FORWARDED}
    )
    assert response.status == 200
    (read,) = logged(json_logs, event="pii_read")
    assert read["client"] == client


async def test_an_ipv6_client_is_logged_with_its_whole_address(
    hub_factory: Callable[..., Any], json_logs: io.StringIO
) -> None:
    """The enrolment bound counts an IPv6 client by its /64; the log names the address."""
    hub = await hub_factory(trusted_proxies="127.0.0.1")
    response = await hub.client.get(
        "/v1/reports", headers={**hub.bearer(), "X-Forwarded-For": "2001:DB8:AA:BB::7"}
    )
    assert response.status == 200
    (read,) = logged(json_logs, event="pii_read")
    assert read["client"] == "2001:db8:aa:bb::7"
