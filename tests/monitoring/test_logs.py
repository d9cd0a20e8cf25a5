"""Structured logs: a correlation id per request, a line per ingress outcome, no personal data."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from logkit import captured_json_logs, logged

from certhub.hub.cli.demo import run_demo
from certhub.mocks.local_reporting import ReportingSystem
from certhub.monitoring.logging import correlation_id
from certhub.schemas import InvalidResidentId, check_character, validate_resident_id

# every 18-character window that could be an ID number, overlapping ones included
CANDIDATE = re.compile(r"(?=([0-9]{17}[0-9Xx]))")


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    """Everything logged (DEBUG and up) as the hub's JSON lines, in memory."""
    with captured_json_logs(logging.DEBUG) as stream:
        yield stream


def unmasked_ids(text: str) -> list[str]:
    """Valid resident ID numbers appearing whole in ``text``."""
    found = []
    for match in CANDIDATE.finditer(text):
        try:
            found.append(validate_resident_id(match.group(1)))
        except InvalidResidentId:
            continue
    return found


async def test_the_callers_request_id_is_echoed_and_on_every_log_line(
    running_hub: Any, json_logs: io.StringIO
) -> None:
    city = running_hub.city()
    token = city.sign(city.population.eligibility_report())
    headers = {"Content-Type": "application/jose", "X-Request-ID": "ops-trace-0001"}
    async with running_hub.session.post(
        f"{running_hub.base_url}/v1/reports", data=token, headers=headers
    ) as response:
        assert response.status == 202
        assert response.headers["X-Request-ID"] == "ops-trace-0001"
    ingress = logged(json_logs, route="/v1/reports")
    assert len(ingress) == 1
    line = ingress[0]
    assert line["correlation_id"] == "ops-trace-0001"
    assert line["outcome"] == "accepted"
    assert line["sender"] == "yunfu-platform"
    assert line["message_type"] == "eligibility_report/v1"
    assert isinstance(line["duration_ms"], float)
    assert line["message_id"]
    assert correlation_id.get() is None  # nothing leaks out of the request


@pytest.mark.parametrize(
    "offered",
    [
        "44010219500101123" + check_character("44010219500101123"),  # an ID number
        "has spaces in it",
        "x" * 200,
        "short",
    ],
)
async def test_an_unsafe_request_id_is_replaced(running_hub: Any, offered: str) -> None:
    async with running_hub.session.get(
        f"{running_hub.base_url}/v1/nothing", headers={"X-Correlation-ID": offered}
    ) as response:
        assert response.status == 404  # problem responses carry the id too
        echoed = response.headers["X-Request-ID"]
    assert echoed != offered
    assert re.fullmatch(r"[a-z]{14}-[0-9a-f]+", echoed)  # a fresh id of the hub's own


async def test_a_rejection_is_logged_once_with_its_reason(
    running_hub: Any, json_logs: io.StringIO
) -> None:
    city = running_hub.city()
    async with running_hub.session.post(
        f"{running_hub.base_url}/v1/reports",
        data=city.bad_messages()[0],  # tampered
        headers={"Content-Type": "application/jose"},
    ) as response:
        assert response.status >= 400
        generated = response.headers["X-Request-ID"]
    ingress = logged(json_logs, route="/v1/reports")
    assert [(line["outcome"], line["reason"]) for line in ingress] == [
        ("rejected", "signature-invalid")
    ]
    assert ingress[0]["correlation_id"] == generated


async def test_a_full_demo_logs_no_id_number_and_no_name(
    tmp_path: Path, json_logs: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[dict[str, Any]] = []
    sign = ReportingSystem.sign

    def spy(self: ReportingSystem, payload: dict[str, Any], *, jti: str | None = None) -> bytes:
        sent.append(payload)
        return sign(self, payload, jti=jti)

    monkeypatch.setattr(ReportingSystem, "sign", spy)
    out = io.StringIO()
    summary = await run_demo(tmp_path / "demo", reports=60, out=out)
    assert summary.ok
    text = json_logs.getvalue() + out.getvalue()
    accepted = logged(json_logs, outcome="accepted")
    bulk = [line for line in accepted if line.get("sender") == "yunfu-platform"]
    # one line per ingress outcome: the bulk push, plus the death case's one report
    assert len(bulk) == summary.pushed.accepted + 1
    assert len({line["correlation_id"] for line in accepted}) == len(accepted)
    ids = [p["person"]["id_number"] for p in sent if "person" in p]
    names = {p["person"]["name"] for p in sent if "person" in p}
    names |= {p["reporter"]["name"] for p in sent if p.get("reporter", {}).get("name")}
    assert len(ids) >= 60
    assert names
    assert unmasked_ids(text) == []
    assert [name for name in names if name in text] == []


def test_an_id_number_passed_to_a_log_call_is_masked(json_logs: io.StringIO) -> None:
    number = "44010219500101123" + check_character("44010219500101123")
    logging.getLogger("certhub.test").warning("person %s", number, extra={"id": number})
    assert unmasked_ids(json_logs.getvalue()) == []
    assert "440102**********" in json_logs.getvalue()
    assert unmasked_ids(f"leaked {number}!") == [number]  # the scanner does find a whole one


def test_an_id_number_in_an_exception_and_its_traceback_is_masked(
    json_logs: io.StringIO,
) -> None:
    number = "44538119581127461" + check_character("44538119581127461")
    other = "44010219500101123" + check_character("44010219500101123")
    try:
        try:
            raise KeyError(f"no roster entry for {other}")
        except KeyError as cause:
            error = ValueError(f"person {number} refused")
            error.add_note(f"while checking {number.lower()}")
            raise error from cause
    except ValueError:
        logging.getLogger("certhub.test").exception("intake failed")
    text = json_logs.getvalue()
    (line,) = [entry for entry in logged(json_logs) if entry["message"] == "intake failed"]
    assert "Traceback" in line["exception"]
    assert "ValueError: person 445381**********16 refused" in line["exception"]
    assert "440102**********" in line["exception"]  # the chained cause too
    assert unmasked_ids(text) == []
    assert number not in text
    assert other not in text


def test_message_ids_with_fifteen_digits_in_a_row_are_starred_too(json_logs: io.StringIO) -> None:
    # A number typed wrong is no valid ID number and still a person's, so logs cannot tell
    # it from a message id or serial with as many digits in a row: both are starred.
    message_id = "msg-202612060930151234"  # 18 digits in a row
    serial = "gdrs_app.GDR202612060000001"  # 15
    logging.getLogger("certhub.test").warning("accepted %s and %s", message_id, serial)
    (line,) = [entry for entry in logged(json_logs) if entry["logger"] == "certhub.test"]
    starred = "msg-202612**********34 and gdrs_app.GDR202612*******01"
    assert line["message"] == f"accepted {starred}"
