"""What a trusted proxy writes in X-Forwarded-For, in the forms proxies really write it.

The enrolment bound per client (10 wrong codes in 10 minutes) counts the address
the nearest trusted proxy saw. Proxies do not all write a bare dotted quad: some
add the client's port, and one listening on both IPv4 and IPv6 names an IPv4
peer in its IPv4-mapped IPv6 form.
"""

from __future__ import annotations

from typing import Any

import pytest
from enrolkit import County

from certhub.schemas import problem_type_uri

BEHIND_THE_PROXY: dict[str, Any] = {"trusted_proxies": "127.0.0.1"}  # the tests' own peer
TWO_PROXIES: dict[str, Any] = {"trusted_proxies": "127.0.0.1, 10.9.9.0/24"}


SPELLINGS = ["2001:db8::7", "2001:DB8::7", "2001:0db8::0007", "2001:db8:0:0:0:0:0:7"]


@pytest.mark.parametrize("county_settings", [BEHIND_THE_PROXY])
@pytest.mark.parametrize(
    "hops",
    [
        [f"10.20.0.7:{40000 + n}" for n in range(11)],
        [f"[2001:db8::7]:{40000 + n}" for n in range(11)],
        [SPELLINGS[n % len(SPELLINGS)] for n in range(11)],
    ],
    ids=["ipv4-port", "ipv6-port", "ipv6-spelling"],
)
async def test_a_guesser_is_one_client_whatever_port_or_spelling_the_proxy_writes(
    county: County, hops: list[str]
) -> None:
    """A proxy that writes the client's port (a new one each connection), or an IPv6
    address spelt another way, made each of one guesser's attempts a new client: the
    bound per client never held it, and its guesses ran on into the overall bound (100
    wrong codes), which holds back every phone of the province for 10 minutes. One
    address, whatever the port or spelling, is one client: the eleventh is 429."""
    tried = await county.right_code_after_ten_wrong(hops)
    assert (tried.status, tried.problem) == (429, problem_type_uri("enrolment-rate-limited"))


@pytest.mark.parametrize("county_settings", [TWO_PROXIES])
async def test_a_trusted_proxy_named_in_its_ipv4_mapped_form_is_still_trusted(
    county: County,
) -> None:
    """The township proxy 10.9.9.9 (trusted) forwards to the front proxy (the tests'
    127.0.0.1), which listens on IPv6 and IPv4 and names its peer ::ffff:10.9.9.9. That
    hop was taken for the client, so every phone behind the township proxy was one
    client: ten coordinators each mistyping once locked out the eleventh's right code.
    The mapped form is the same address: trusted, and the phone left of it counted."""
    hops = [f"10.20.0.{phone + 1}, ::ffff:10.9.9.9" for phone in range(10)]
    tried = await county.right_code_after_ten_wrong([*hops, "10.20.0.99, ::ffff:10.9.9.9"])
    assert tried.status == 201, tried.problem


@pytest.mark.parametrize("county_settings", [BEHIND_THE_PROXY])
async def test_a_guesser_rotating_addresses_within_its_ipv6_prefix(county: County) -> None:
    """The bound per client counts an IPv6 client by its /64 (``CERTHUB_ENROLMENT_IPV6_PREFIX``,
    decided 2026-12-07): every home and phone network hands a subscriber a whole /64 and
    lets it pick any address in it (privacy addresses change all the time), so counted by
    address one guesser behind the proxy was a new client on each attempt, the bound per
    client never held it, and its guesses ran into the overall bound (100 in 10 minutes),
    holding back every phone. By /64 it stops at 10; phones sharing one /64 (one household)
    share the 10 wrong codes; IPv4 clients behind a NAT64 gateway count as their own IPv4
    address. The access log keeps the whole address."""
    hops = [f"2001:db8:aa:bb::{attempt + 1:x}" for attempt in range(10)]
    tried = await county.right_code_after_ten_wrong([*hops, "2001:db8:aa:bb::99"])
    assert (tried.status, tried.problem) == (429, problem_type_uri("enrolment-rate-limited"))
