"""A read refused to a key whose signature verifies is in the access log, naming the key.

A reader confined to its village that mints itself a token for another area, or a
token without the ``read`` scope, is told 403; the access log of personal data
(``certhub.access``, :mod:`certhub.hub.api.access_log`) is where ops see who tried.
A token whose signature verifies with no trusted key names nobody: no line.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from logkit import captured_json_logs, logged
from procedurekit import Office
from scopekit import A, D

from certhub.security import SigningKey, issue_read_token

PROBLEM = "urn:certhub:problem:"


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    """The hub's JSON log lines (INFO and up), in memory."""
    with captured_json_logs(logging.INFO) as stream:
        yield stream


async def _read(office: Office, key: SigningKey, party: str, **claims: Any) -> tuple[int, str]:
    token = issue_read_token(key, sender=party, **claims)
    response = await office.client.get(
        "/v1/reports", params={"limit": "5"}, headers={"Authorization": f"Bearer {token}"}
    )
    return response.status, (await response.json(content_type=None))["type"]


async def test_a_confined_key_refused_outside_its_area_is_logged(
    office: Office, json_logs: io.StringIO
) -> None:
    key = office.keys["coord-a"]
    assert await _read(office, key, "coord-a", area=D) == (403, PROBLEM + "not-authorized")
    assert await _read(office, key, "coord-a", scope="evidence") == (
        403,
        PROBLEM + "not-authorized",
    )
    reads = logged(json_logs, event="pii_read")
    assert [(r["reader"], r["reader_kid"], r["reader_area"]) for r in reads] == [
        ("coord-a", key.kid, A),
        ("coord-a", key.kid, A),
    ]
    assert [(r["route"], r["limit"], r["status"]) for r in reads] == [("/v1/reports", "5", 403)] * 2


async def test_a_token_no_trusted_key_signed_names_nobody(
    office: Office, json_logs: io.StringIO
) -> None:
    stranger = SigningKey.generate()
    assert (await _read(office, stranger, "coord-a"))[0] == 401
    assert logged(json_logs, event="pii_read") == []
