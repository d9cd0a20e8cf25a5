"""A day to read the register on (``?on=``) before the scheme began is refused as a bad
parameter, on every list and the summary.

Before, a day in year 1 (``on=0001-01-01``, a client's empty date picker) failed every
list and the summary with 500 (``OverflowError``: the long-suspended bound, 365 days
before it, is before the first date Python has), logged as the hub's own error. Now it is
``invalid-parameter`` naming ``on``, as ``on=2027-3-1`` is; from 2009-01-01, when the
scheme began (schemas.SCHEME_START), lists are read as before.
"""

from __future__ import annotations

from hubkit import Hub

PATHS = ("due", "overdue", "suspended", "long-suspended", "people?area=440103", "summary")


async def status_of(hub: Hub, path: str, on: str) -> tuple[int, dict[str, object]]:
    sep = "&" if "?" in path else "?"
    response = await hub.client.get(f"/v1/register/{path}{sep}on={on}", headers=hub.bearer())
    return response.status, await response.json()


async def test_a_day_before_the_scheme_is_a_bad_parameter(hub: Hub) -> None:
    for path in PATHS:
        for on in ("0001-01-01", "2008-12-31"):
            status, body = await status_of(hub, path, on)
            assert status == 400, (path, on, body)  # before: 500 for 0001-01-01
            assert body["type"] == "urn:certhub:problem:invalid-parameter", (path, body)
            assert body["parameter"] == "on", (path, body)
        status, body = await status_of(hub, path, "2009-01-01")
        assert status == 200, (path, body)
