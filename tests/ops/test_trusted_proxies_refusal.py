"""A mistyped ``CERTHUB_TRUSTED_PROXIES`` is refused in one line an operator can read.

The setting is a union of IPv4 and IPv6 networks; left to pydantic, one bad entry
came back as the union's internal validator names (``CERTHUB_TRUSTED_PROXIES__0__
LAX-OR-STRICT[LAX=FUNCTION-PLAIN[IP_V4_NETWORK_VALIDATOR()]…``), twice, with no
word of which entry was wrong.
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from certhub.hub.cli.common import one_line
from certhub.hub.core.settings import Settings


@pytest.mark.parametrize(
    ("value", "entry", "says"),
    [
        ("10.0.0.300", "10.0.0.300", "is not an IP address or network (CIDR)"),
        ("127.0.0.1, proxy.example", "proxy.example", "is not an IP address or network (CIDR)"),
        (
            "10.1.0.1/16",
            "10.1.0.1/16",
            "is not a network: host bits set (did you mean 10.1.0.0/16?)",
        ),
    ],
)
def test_a_bad_proxy_entry_is_named_in_one_plain_line(value: str, entry: str, says: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(trusted_proxies=value)  # as the environment gives it
    line = one_line(refused.value)
    assert line == f"invalid settings: CERTHUB_TRUSTED_PROXIES: {entry!r} {says}"


def test_good_entries_still_parse() -> None:
    settings = Settings(trusted_proxies=" 127.0.0.1, 10.8.0.0/16,::1 ,")
    assert [str(net) for net in settings.trusted_proxies] == [
        "127.0.0.1/32",
        "10.8.0.0/16",
        "::1/128",
    ]
    assert Settings(trusted_proxies="").trusted_proxies == ()


@pytest.mark.parametrize("written", ["none", "None", " NONE "])
def test_none_as_the_readme_writes_the_default_means_no_proxy(written: str) -> None:
    # README's Configuration table: default `none`, "none = the peer is the client"
    assert Settings(trusted_proxies=written).trusted_proxies == ()
