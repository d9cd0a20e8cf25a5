"""OpenTelemetry spans from the HTTP push through the ledger, and of each delivery (16 §3)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest
from deliverykit import memory_dispatcher
from hub_fixtures import hub, hub_factory, party_keys
from hubkit import Hub
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from certhub.adapters import TransientError
from certhub.hub.cli.main import main
from certhub.hub.delivery.broker import Envelope, Verdict
from certhub.monitoring.tracing import span, tracing_on

__all__ = ["hub", "hub_factory", "party_keys"]


def _by_name(exporter: InMemorySpanExporter) -> dict[str, ReadableSpan]:
    return {item.name: item for item in exporter.get_finished_spans()}


def test_tracing_is_off_by_default() -> None:
    assert not tracing_on()
    with span("anything", {"a": 1}) as current:
        assert current is None


async def test_a_push_is_one_trace_from_the_request_to_the_ledger_write(
    hub: Hub, spans: InMemorySpanExporter
) -> None:
    token = hub.sign(hub.report())
    headers = {"Content-Type": "application/jose", "X-Request-ID": "trace-test-000123"}
    response = await hub.client.post("/v1/reports", data=token, headers=headers)
    assert response.status == 202
    found = _by_name(spans)
    request, accept, write = (
        found["POST /v1/reports"],
        found["ingress accept"],
        found["ledger write"],
    )
    assert request.kind is SpanKind.SERVER
    assert accept.parent is not None
    assert accept.parent.span_id == request.context.span_id
    assert write.parent is not None
    assert write.parent.span_id == accept.context.span_id
    assert {s.context.trace_id for s in (request, accept, write)} == {request.context.trace_id}
    for item in (request, accept, write):
        assert item.attributes is not None
        assert item.attributes["certhub.correlation_id"] == "trace-test-000123"
    assert request.attributes is not None
    assert accept.attributes is not None
    assert request.attributes["http.route"] == "/v1/reports"
    assert request.attributes["http.response.status_code"] == 202
    assert request.attributes["http.request.body.size"] == len(token)
    assert request.attributes["http.response.body.size"] > 0
    assert accept.attributes["certhub.sender"] == "city"  # who
    assert accept.attributes["certhub.message_type"] == "eligibility_report/v1"  # what
    assert accept.attributes["certhub.duplicate"] is False
    body = await response.json()
    assert accept.attributes["certhub.ledger.sequence"] == body["sequence"]


async def test_a_refused_push_is_a_failed_span(hub: Hub, spans: InMemorySpanExporter) -> None:
    token = hub.sign(hub.report(), party="intruder")
    status, _ = await hub.push(token)
    assert status == 401
    found = _by_name(spans)
    assert found["ingress accept"].status.status_code is StatusCode.ERROR
    assert "ledger write" not in found  # nothing was written
    attributes = found["POST /v1/reports"].attributes
    assert attributes is not None
    assert attributes["http.response.status_code"] == 401


async def test_a_delivery_and_its_department_call_are_spans_of_the_push(
    spans: InMemorySpanExporter,
) -> None:
    async def deliver(envelope: Envelope) -> None:
        return None

    envelope = Envelope("notice:task-9", "sms", "notify", b'{"text": "x"}', "req-trace-0042", 2)
    assert await memory_dispatcher(deliver, max_attempts=5).handle(envelope) is Verdict.ACK
    found = _by_name(spans)
    delivery, call = found["delivery sms"], found["department call sms"]
    assert call.parent is not None
    assert call.parent.span_id == delivery.context.span_id
    assert delivery.attributes == {
        "certhub.correlation_id": "req-trace-0042",
        "certhub.delivery.id": "notice:task-9",
        "certhub.destination": "sms",
        "certhub.operation": "notify",
        "certhub.attempt": 3,
        "messaging.message.body.size": len(b'{"text": "x"}'),
        "certhub.verdict": "ack",
    }


async def test_a_failed_department_call_is_marked_as_such(spans: InMemorySpanExporter) -> None:
    async def deliver(envelope: Envelope) -> None:
        raise TransientError("gateway timed out")

    envelope = Envelope("notice:task-10", "sms", "notify", b"{}", "req-trace-0043", 0)
    # a retry is recorded
    assert await memory_dispatcher(deliver, max_attempts=5).handle(envelope) is Verdict.ACK
    call = _by_name(spans)["department call sms"]
    assert call.status.status_code is StatusCode.ERROR
    assert [event.name for event in call.events] == ["exception"]


def test_serve_refuses_an_endpoint_without_the_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in list(os.environ):
        if name.startswith("CERTHUB_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CERTHUB_OTLP_ENDPOINT", "http://127.0.0.1:4318/v1/traces")
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "opentelemetry" else real(name, *a),
    )
    assert main(["serve", "--port", "0", "--data", "var"]) == 2
    assert "pip install 'certhub[tracing]'" in capsys.readouterr().err
    assert not (tmp_path / "var").exists()
