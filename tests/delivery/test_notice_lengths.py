"""A certification-result SMS fits the gateway's message whatever base URL the settings accept.

The gateway takes at most 500 characters (``sms.openapi.json``, ``Notification.text``); a
longer text can never be sent: each one was retried until dead-lettered, so with a long
``CERTHUB_RATING_BASE_URL`` no pensioner was told their certification passed.
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from certhub.adapters import Notification
from certhub.hub.api.cursor import CursorCodec
from certhub.hub.api.rating_routes import rating_link
from certhub.hub.core.settings import Settings
from certhub.hub.rules.notices import certification_result_notice
from certhub.schemas import CertificationEvent

LONGEST_NAME = "王" * 100  # PersonName's longest
LAST_SEQUENCE = 2**63 - 1  # the largest ledger sequence either backend stores


def _accepted(url: str) -> bool:
    try:
        Settings(rating_base_url=url)
    except ValidationError:
        return False
    return True


def _longest_accepted_base_url() -> str:
    """The longest ``https://…/ppp`` base URL the settings accept (up to 4000 characters)."""
    low, high = 0, 4000
    while low < high:  # the longest path length accepted
        middle = (low + high + 1) // 2
        if _accepted("https://rating.example.cn/" + "p" * middle):
            low = middle
        else:
            high = middle - 1
    return "https://rating.example.cn/" + "p" * low


def test_the_longest_result_sms_with_the_longest_accepted_rating_link_can_be_sent() -> None:
    base = _longest_accepted_base_url()
    event = CertificationEvent.model_validate(
        {"person": {"id_number": "440102195001011231", "name": LONGEST_NAME,
                    "region": {"county": "440103"}},
         "method": "face", "channel": {"kind": "app_gdrs"}, "outcome": "certified",
         "occurred_at": "2026-01-05T10:00:00+08:00", "valid_until": "2027-01-05"}
    )  # fmt: skip
    link = rating_link(CursorCodec(b"k" * 32), base, LAST_SEQUENCE)
    notice = certification_result_notice(event, LAST_SEQUENCE, link)
    note = Notification(notification_id=notice.notice_id, mobile="13912345678", text=notice.text)
    assert link in note.text


@pytest.mark.parametrize("url", ["https://hub.example.cn", "https://hub.example.cn/certhub/"])
def test_an_ordinary_rating_base_url_is_still_accepted(url: str) -> None:
    assert Settings(rating_base_url=url).rating_base_url == url
