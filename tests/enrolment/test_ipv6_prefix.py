"""An IPv6 client counts in the enrolment codes' bound per client by its network.

A home or phone network hands each subscriber a whole /64 and lets it pick any
address in it, so counted by address one guesser is a new client at each try.
``CERTHUB_ENROLMENT_IPV6_PREFIX`` (64; 128 = per address) sets the network (the access
log keeps the whole address: ``tests/ops/test_access_log_client.py``);
:func:`~certhub.hub.api.client_address.bound_key` maps an address to it.
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address, IPv6Network
from typing import Any

import pytest
from enrolkit import County
from hypothesis import assume, given
from hypothesis import strategies as st
from pydantic import ValidationError

from certhub.hub.api.client_address import bound_key
from certhub.hub.core.settings import Settings
from certhub.schemas import problem_type_uri

BEHIND_THE_PROXY: dict[str, Any] = {"trusted_proxies": "127.0.0.1"}  # the tests' own peer
PREFIXES = st.integers(min_value=48, max_value=128)
HOSTS = st.integers(min_value=0, max_value=2**128 - 1)
# IPv6 forms of IPv4 clients: mapped, 6to4, NAT64's well-known prefix.
_IPV4_FORMS = [IPv6Network(net) for net in ("::ffff:0:0/96", "2002::/16", "64:ff9b::/96")]


def ipv6(value: int) -> IPv6Address:
    """The IPv6 address ``value`` (never an IPv4 client's IPv6 form)."""
    address = IPv6Address(value)
    assume(not any(address in forms for forms in _IPV4_FORMS))
    return address


def network(address: IPv6Address, prefix: int) -> int:
    """The first ``prefix`` bits of ``address``."""
    return int(address) >> (128 - prefix)


@given(PREFIXES, HOSTS, HOSTS)
def test_two_addresses_in_one_network_are_one_client(prefix: int, a: int, b: int) -> None:
    first = ipv6(a)
    second = ipv6((network(first, prefix) << (128 - prefix)) | (b % 2 ** (128 - prefix)))
    assert bound_key(str(first), prefix) == bound_key(str(second), prefix)


@given(PREFIXES, HOSTS, HOSTS)
def test_addresses_in_two_networks_are_two_clients(prefix: int, a: int, b: int) -> None:
    first, second = ipv6(a), ipv6(b)
    assume(network(first, prefix) != network(second, prefix))
    assert bound_key(str(first), prefix) != bound_key(str(second), prefix)


@given(st.integers(min_value=0, max_value=2**64 - 1), st.integers(0, 2**64 - 1))
def test_by_default_a_client_is_its_slash_64(a: int, b: int) -> None:
    first, second = ipv6(a << 64), ipv6(b << 64)
    assert bound_key(str(first), 64) == bound_key(str(IPv6Address(int(first) | 7)), 64)
    assert (bound_key(str(first), 64) == bound_key(str(second), 64)) == (a == b)


@given(PREFIXES, st.integers(min_value=0, max_value=2**32 - 1))
def test_an_ipv4_address_is_itself_in_either_form(prefix: int, value: int) -> None:
    address = IPv4Address(value)
    mapped = IPv6Address(f"::ffff:{address}")
    assert bound_key(str(address), prefix) == bound_key(str(mapped), prefix) == str(address)
    assert bound_key(str(mapped).upper(), prefix) == str(address)


@pytest.mark.parametrize(
    ("written", "client"),
    [
        ("2002:cb00:7107::1", "203.0.113.7"),  # 6to4: the site behind 203.0.113.7
        ("2002:cb00:7107:ff::2", "203.0.113.7"),  # another /64 of the same site
        ("64:ff9b::cb00:7107", "203.0.113.7"),  # through a NAT64 gateway
        ("64:ff9b::c633:6401", "198.51.100.1"),  # another IPv4 client of that gateway
    ],
)
def test_an_ipv4_client_written_as_ipv6_is_its_ipv4_address(written: str, client: str) -> None:
    assert bound_key(written, 64) == client


@given(HOSTS)
def test_at_128_a_client_is_its_address(value: int) -> None:
    address = ipv6(value)
    assert bound_key(address.exploded.upper(), 128) == str(address)


@pytest.mark.parametrize("text", ["-", "unknown", "host.example", ""])
def test_what_is_no_address_is_counted_as_written(text: str) -> None:
    assert bound_key(text, 64) == text


@pytest.mark.parametrize("prefix", [47, 129])
def test_a_prefix_outside_48_to_128_is_refused(prefix: int) -> None:
    with pytest.raises(ValidationError, match="enrolment_ipv6_prefix"):
        Settings(enrolment_ipv6_prefix=prefix)


@pytest.mark.parametrize("county_settings", [BEHIND_THE_PROXY])
async def test_a_phone_in_another_slash_64_is_not_held_back(county: County) -> None:
    """Ten wrong codes from one /64 bound that /64 only: the next /64 enrols."""
    hops = [f"2001:db8:aa:bb::{attempt + 1:x}" for attempt in range(10)]
    tried = await county.right_code_after_ten_wrong([*hops, "2001:db8:aa:bc::1"])
    assert tried.status == 201, tried.problem


@pytest.mark.parametrize("county_settings", [BEHIND_THE_PROXY | {"enrolment_ipv6_prefix": 128}])
async def test_at_128_every_address_is_a_client(county: County) -> None:
    """A deployment that counts by address (``CERTHUB_ENROLMENT_IPV6_PREFIX=128``): ten
    wrong codes from ten addresses of one /64 hold back none of them."""
    hops = [f"2001:db8:aa:bb::{attempt + 1:x}" for attempt in range(10)]
    tried = await county.right_code_after_ten_wrong([*hops, "2001:db8:aa:bb::99"])
    assert tried.status == 201, tried.problem


@pytest.mark.parametrize("county_settings", [BEHIND_THE_PROXY | {"enrolment_ipv6_prefix": 48}])
async def test_at_48_a_guesser_rotating_its_slash_64s_is_one_client(county: County) -> None:
    hops = [f"2001:db8:aa:{attempt + 1:x}::1" for attempt in range(10)]
    tried = await county.right_code_after_ten_wrong([*hops, "2001:db8:aa:99::1"])
    assert (tried.status, tried.problem) == (429, problem_type_uri("enrolment-rate-limited"))
