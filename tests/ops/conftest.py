"""Fixtures: the hub's JSON log lines captured in memory (INFO and up), its spans too."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from logkit import captured_json_logs
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from certhub.monitoring.tracing import configure_tracing, shutdown_tracing


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    """Everything logged (INFO and up) as the hub's JSON lines, in memory."""
    with captured_json_logs(logging.INFO) as stream:
        yield stream


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """Tracing on, into memory, for one test."""
    exporter = InMemorySpanExporter()
    configure_tracing(service="certhub-test", attributes={"certhub.role": "all"}, exporter=exporter)
    yield exporter
    shutdown_tracing()
