"""Who sent a request: the direct peer, or the client a trusted proxy names for it.

Phones reach the hub through the TLS proxy in front of it, so the direct peer
is the proxy for all of them; bounds kept per client address (the enrolment
codes' guesses) would then lump a whole province together. When the peer is
one of ``CERTHUB_TRUSTED_PROXIES``, the client is the right-most address of
``X-Forwarded-For`` that is not itself a trusted proxy: the one the nearest
trusted proxy saw. Every address left of it was written by whoever sent the
request and proves nothing; from any other peer the header is ignored, so a
forged one cannot dodge a bound. With the setting empty (the default) nobody
is trusted and the client is always the peer.

A bound per client counts an IPv6 client by its network (:func:`bound_key`,
``CERTHUB_ENROLMENT_IPV6_PREFIX``, a /64 by default): a home or phone network
hands each subscriber a whole /64 and lets it pick any address in it (privacy
addresses change all the time), so counted by address one guesser is a new
client at each attempt. The access log keeps the whole address.
"""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network

from aiohttp import web

from certhub.hub.core.keys import SETTINGS

__all__ = ["bound_key", "client_address"]

_LONGEST: int = 64  # a hop that is no address is kept, cut short, for the log


def client_address(request: web.Request) -> str:
    """The client address of ``request`` (``-`` when the transport has none).

    An address is written one way whatever form the proxy wrote it in (a port
    after it, brackets, upper case or leading zeros in IPv6, an IPv4 address
    in its IPv4-mapped IPv6 form): one client is one key of the bounds, however
    many ports its connections come from.
    """
    peer = _canonical(request.remote) or request.remote or "-"
    proxies = request.app[SETTINGS].trusted_proxies
    if not proxies or not _trusted(peer, proxies):
        return peer
    hops = [
        hop
        for header in request.headers.getall("X-Forwarded-For", ())
        for hop in header.split(",")
        if hop.strip()
    ]
    for hop in reversed(hops):  # parsed from the right only as far as the proxies go
        address = _written(hop)
        if not _trusted(address, proxies):
            return address
    # Only trusted proxies named (or no header): the farthest one is the client we know.
    return _written(hops[0]) if hops else peer


def bound_key(client: str, ipv6_prefix: int) -> str:
    """The client a bound per client counts ``client`` (an address) as.

    An IPv6 address is its network of ``ipv6_prefix`` bits (``2001:db8:aa:bb::/64``),
    itself at 128; an IPv4 address is itself, also written as IPv6: mapped
    (``::ffff:a.b.c.d``), 6to4 (``2002:``, a site's /48 behind one IPv4 address) or
    through a NAT64 gateway's well-known prefix (``64:ff9b::/96``, where every IPv4
    client would otherwise share one /64); anything else (``-``, text a proxy
    wrote) is itself.
    """
    try:
        parsed = ip_address(client)
    except ValueError:
        return client
    if isinstance(parsed, IPv6Address):
        embedded = parsed.ipv4_mapped or parsed.sixtofour or _through_nat64(parsed)
        if embedded is not None:
            return str(embedded)
        if ipv6_prefix < parsed.max_prefixlen:
            return str(ip_network((parsed, ipv6_prefix), strict=False))
    return str(parsed)


_NAT64: IPv6Network = IPv6Network("64:ff9b::/96")  # RFC 6052's well-known prefix


def _through_nat64(address: IPv6Address) -> IPv4Address | None:
    """The IPv4 client a NAT64 gateway's address stands for; None for any other address."""
    return IPv4Address(int(address) & 0xFFFF_FFFF) if address in _NAT64 else None


def _written(hop: str) -> str:
    """How ``hop`` is counted and logged: its canonical address, or its text cut short."""
    return _canonical(hop) or hop.strip()[:_LONGEST]


def _canonical(hop: str | None) -> str | None:
    """``hop``'s address in its one written form, without a port; None if it is none."""
    text = (hop or "").strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::7]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 203.0.113.7:51234 (an IPv6 address has two or more)
        text = text.partition(":")[0]
    try:
        parsed = ip_address(text)
    except ValueError:  # "unknown", a hostname, garbage
        return None
    mapped = parsed.ipv4_mapped if isinstance(parsed, IPv6Address) else None
    return str(mapped or parsed)


def _trusted(address: str, proxies: Sequence[IPv4Network | IPv6Network]) -> bool:
    try:
        parsed = ip_address(address)
    except ValueError:  # "unknown", a hostname, garbage: never a trusted proxy
        return False
    return any(parsed in network for network in proxies)
