"""What a refused push leaves in its trace: no ID number, however the refusal came about.

A span records the exception that leaves it (type, message, stack trace with its
chained causes) and sets its status from it; traces go to a collector that ops
and vendors read, as logs do, so they are masked as logs are.
"""

from __future__ import annotations

import json
import re

from hub_fixtures import hub, hub_factory, party_keys
from hubkit import Hub
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

__all__ = ["hub", "hub_factory", "party_keys"]

TYPED = "440823195001011235"  # 440823195001011231 with a wrong check character


async def test_a_mistyped_number_in_a_refused_report_stays_out_of_its_trace(
    hub: Hub, spans: InMemorySpanExporter
) -> None:
    """The city sends a report whose person's ID number has a wrong check character: 422
    schema-violation, the number nowhere in the answer. The ingress span recorded the
    refusal with its stack trace, and Python prints a chained cause under it: pydantic's
    ValidationError, whose text quotes the input - the whole number, in the exception
    event a collector keeps."""
    report = hub.report()
    report["person"]["id_number"] = TYPED
    response = await hub.client.post(
        "/v1/reports", data=hub.sign(report), headers={"Content-Type": "application/jose"}
    )
    assert response.status == 422, await response.text()
    assert TYPED not in await response.text()
    finished = spans.get_finished_spans()
    assert any(item.events for item in finished)  # the refusal's exception event
    recorded = [
        {
            "name": item.name,
            "status": item.status.description,
            "attributes": dict(item.attributes or {}),
            "events": [(event.name, dict(event.attributes or {})) for event in item.events],
        }
        for item in finished
    ]
    text = json.dumps(recorded, ensure_ascii=False)
    assert TYPED not in text
    assert re.search(r"\d{15}", text) is None
