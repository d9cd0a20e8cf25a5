"""A number whose last digits came percent-encoded is starred as a whole number is.

The log masker stars a run of 15 digits or more, then decodes what is left and looks
again. A number sent with its first 15 to 17 digits plain and the rest encoded (once
after aiohttp's decoding: ``…011%32%33%31``) had its plain part starred as a number of
its own length, keeping that part's last two digits, and the encoded tail kept as it
came: decoded, the line showed eleven of the eighteen characters, where a masked number
shows eight (the first six and the last two).
"""

from __future__ import annotations

import io
from urllib.parse import unquote

import pytest
from hub_fixtures import hub, hub_factory, party_keys
from hubkit import Hub
from logkit import logged, raw_get

from certhub.schemas import mask_numbers_for_logs

__all__ = ["hub", "hub_factory", "party_keys"]

NUMBER = "440823195001011231"
MASKED = "440823**********31"


def tail_encoded(plain: int) -> str:
    """:data:`NUMBER`, its first ``plain`` digits as they are, the rest percent-encoded."""
    return NUMBER[:plain] + "".join(f"%{ord(digit):02X}" for digit in NUMBER[plain:])


@pytest.mark.parametrize("plain", [14, 15, 16, 17])
def test_a_number_with_an_encoded_tail_shows_what_a_masked_number_shows(plain: int) -> None:
    logged_text = mask_numbers_for_logs(f"after={tail_encoded(plain)}&limit=20")
    assert unquote(logged_text) == f"after={MASKED}&limit=20"


def test_a_plain_number_beside_encoded_text_is_kept_as_it_came() -> None:
    """The line is rewritten decoded only when its encoding hid a number."""
    assert mask_numbers_for_logs(f"/v1/x%2Fy?id={NUMBER}") == f"/v1/x%2Fy?id={MASKED}"


async def test_a_cursor_with_an_encoded_tail_is_logged_masked(
    hub: Hub, json_logs: io.StringIO
) -> None:
    twice = tail_encoded(15).replace("%", "%25")  # aiohttp decodes one encoding
    assert await raw_get(hub, f"/v1/reports?after={twice}&limit=20") == 400
    (read,) = logged(json_logs, event="pii_read")
    assert unquote(read["after"]) == MASKED
