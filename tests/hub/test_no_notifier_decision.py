"""A hub with no SMS gateway configured: its notices are only logged, and recorded delivered.

Found serving the demo's data folder (``certhub serve --data DIR``, no
``CERTHUB_ADAPTERS__SMS__…``): the outbox's 免办 notices went out as
``"sms sent"`` log lines (names half masked, the whole text) and every one was
recorded ``delivered to sms``. On a deployment whose operator forgot the gateway's
settings the same happens to every family's termination notice, silently: nothing
at start says notices will not reach anyone, and /metrics counts them delivered.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from questionkit import decision_wanted

from certhub.hub.core.keys import NOTICE_SENDER
from certhub.hub.delivery.notices import LoggingNoticeSender


@decision_wanted(
    "with no adapter playing notifier the hub logs each SMS and records"
    " it delivered; should a start without one at least warn (or a PostgreSQL deployment"
    " refuse to start, leaving the demo and tests the logging default)?"
)
async def test_a_hub_without_an_sms_gateway_says_so_at_start(
    hub_factory: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    hub = await hub_factory()
    assert isinstance(hub.client.app[NOTICE_SENDER], LoggingNoticeSender)  # no gateway
    said = [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.WARNING and "SMS" in r.getMessage().upper()
    ]
    assert said, "nothing at start says notices will only be logged"
