"""A query parameter given with an empty value is refused, never read as if it were absent.

``/openapi.json`` does not allow empty values (``allowEmptyValue`` is false; ``county``'s
pattern needs digits), and an empty cursor is not one this hub issued. Read as absent,
``?after=`` silently restarted a pull from its first page (a client that lost its
cursor re-read everything) and ``?county=`` exported the whole province. The lists by
key (task deadlines, overpayments) are the exception the document now states: their
empty first page's ``next_cursor`` is ``""``. Found by tests/hub/test_fuzz_openapi.py.
"""

from __future__ import annotations

import pytest
from hubkit import Hub

PROBLEM = "urn:certhub:problem:"


@pytest.mark.parametrize(
    ("path", "slug"),
    [
        ("/v1/reports", "invalid-cursor"),  # signed cursors (CursorCodec)
        ("/v1/verification-tasks", "invalid-cursor"),
        ("/v1/register/due", "invalid-cursor"),
        ("/v1/restoration-proposals", "invalid-cursor"),
        ("/v1/report-deadlines", "invalid-parameter"),  # numbered (after_param, "0" first)
        ("/v1/service-ratings", "invalid-parameter"),
    ],
)
async def test_an_empty_cursor_is_refused(hub: Hub, path: str, slug: str) -> None:
    response = await hub.client.get(f"{path}?after=", headers=hub.bearer())
    problem = await response.json(content_type=None)
    assert (response.status, problem["type"]) == (400, PROBLEM + slug)
    first_page = await hub.client.get(path, headers=hub.bearer())
    assert first_page.status == 200  # no cursor at all is still the first page


@pytest.mark.parametrize("path", ["/v1/task-deadlines", "/v1/overpayments"])
async def test_an_empty_key_cursor_is_the_beginning_the_hub_issued(hub: Hub, path: str) -> None:
    """Lists by key answer an empty first page with ``next_cursor: ""``: that is a cursor
    the hub issued, so ``?after=`` must go on working (the document allows it empty)."""
    response = await hub.client.get(path, headers=hub.bearer())
    first = await response.json()
    assert (first["items"], first["next_cursor"]) == ([], "")
    again = await hub.client.get(f"{path}?after=", headers=hub.bearer())
    assert again.status == 200


async def test_an_empty_county_is_refused(hub: Hub) -> None:
    response = await hub.client.get("/v1/service-points.geojson?county=")
    problem = await response.json(content_type=None)
    assert (response.status, problem["type"]) == (400, PROBLEM + "invalid-parameter")
    assert problem["parameter"] == "county"
    whole = await hub.client.get("/v1/service-points.geojson")
    assert whole.status == 200
