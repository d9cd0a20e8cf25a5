"""Channel callbacks through the hub: a changed re-send is a replay; implausible times refused."""

from __future__ import annotations

import json
from typing import Any

from hubkit import Hub
from inboundkit import Departments

PROBLEM = "urn:certhub:problem:"


async def _post(
    hub: Hub, body: bytes, headers: dict[str, str], department: str = "gdrs_app"
) -> tuple[int, dict[str, Any]]:
    response = await hub.client.post(
        f"/v1/inbound/{department}/messages", data=body, headers=headers
    )
    return response.status, await response.json(content_type=None)


async def _refused_naming(
    hub: Hub, answer: tuple[int, dict[str, Any]], column: str, words: str
) -> None:
    """``answer`` is a schema violation whose first error names ``column`` and says
    ``words``, and nothing was stored."""
    status, body = answer
    assert (status, body["type"]) == (422, PROBLEM + "schema-violation"), body
    assert body["errors"][0]["column"] == column
    assert words in body["errors"][0]["detail"]
    assert await hub.stored() == 0


async def test_the_same_event_id_with_changed_content_is_a_replay_never_a_duplicate(
    hub: Hub, departments: Departments
) -> None:
    channel = departments.channels["gdrs_app"]
    passed = channel.callback(certified=True)
    status, first = await _post(hub, *channel.signed(passed))
    assert status == 202, first
    # the channel re-sends the event: fresh nonce and timestamp, result PASS -> FAIL
    status, changed = await _post(hub, *channel.signed(passed | {"result": "FAIL"}))
    assert (status, changed["type"]) == (409, PROBLEM + "replay"), changed
    assert "id of its own" in changed["detail"]
    # the same content again (a retry of the first callback) is the idempotent duplicate
    status, again = await _post(hub, *channel.signed(passed))
    assert (status, again["duplicate"], again["sequence"]) == (202, True, first["sequence"])
    assert await hub.stored() == 1
    _, page = await hub.pull("/v1/certifications")
    assert [item["payload"]["outcome"] for item in page["items"]] == ["certified"]
    # a correction under an event id of its own is recorded
    status, corrected = await _post(
        hub, *channel.signed(passed | {"eventId": passed["eventId"] + "-C1", "result": "FAIL"})
    )
    assert (status, corrected["duplicate"]) == (202, False), corrected
    assert await hub.stored() == 2


async def test_a_cert_time_in_seconds_is_refused_and_nothing_is_stored(
    hub: Hub, departments: Departments
) -> None:
    channel = departments.channels["gdrs_app"]
    native = channel.callback()
    answer = await _post(hub, *channel.signed(native | {"certTime": native["certTime"] // 1000}))
    await _refused_naming(hub, answer, "certTime", "milliseconds")


async def test_a_certification_before_the_scheme_is_refused_naming_the_time(
    hub: Hub, departments: Departments
) -> None:
    channel = departments.channels["yuezhizhu"]
    native = channel.callback() | {"time": "2008-06-30 10:00:00"}
    answer = await _post(hub, *channel.signed(native), department="yuezhizhu")
    await _refused_naming(hub, answer, "time", "2009-01-01")


async def test_a_city_platform_record_with_a_member_twice_is_refused(
    hub: Hub, departments: Departments
) -> None:
    from certhub.security import sign_compact

    yunfu = departments.yunfu
    text = json.dumps(yunfu.report(事由="死亡"), ensure_ascii=False)
    body = (text[:-1] + ', "事由": "服刑"}').encode()  # death first, imprisonment last
    token = sign_compact(body, key=yunfu.key, typ=yunfu.message_type, sender=yunfu.sender)
    status, problem = await _post(hub, token, {"Content-Type": "application/jose"}, "yunfu")
    assert (status, problem["type"]) == (400, PROBLEM + "malformed-message"), problem
    assert "duplicate JSON member '事由'" in problem["detail"]
    assert await hub.stored() == 0
