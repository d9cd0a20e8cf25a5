"""OpenTelemetry traces of each exchange, off by default and optional to install.

With ``CERTHUB_OTLP_ENDPOINT`` set (and the ``certhub[tracing]`` extra
installed) every process exports spans over OTLP/HTTP: the HTTP request, the
ingress pipeline and each ledger write under it; the outbox relay's publish;
each delivery a worker takes from the broker and the department call inside
it. Like X-Road's operational monitoring, each span says who (the sender),
which service (route, destination, operation), request and response sizes,
how long, and whether it succeeded; every span carries the correlation id,
which the outbox and the broker carry from the push to its deliveries, so one
search finds the whole exchange.

Unset, :func:`span` is a no-op context manager and OpenTelemetry is never
imported: nothing is paid on the hot path.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from certhub.monitoring.logging import correlation_id

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from opentelemetry.trace import Span, Tracer

__all__ = [
    "Attributes",
    "TracingUnavailable",
    "configure_tracing",
    "set_attributes",
    "shutdown_tracing",
    "span",
    "tracing_on",
]

AttributeValue = str | int | float | bool


class TracingUnavailable(RuntimeError):
    """Tracing was asked for but the ``certhub[tracing]`` extra is not installed."""


class _State:
    """The process's tracer, once configured (one per process, like logging's root)."""

    tracer: Tracer | None = None
    provider: TracerProvider | None = None


def tracing_on() -> bool:
    """Whether spans are being recorded in this process."""
    return _State.tracer is not None


def configure_tracing(
    *,
    service: str,
    attributes: Mapping[str, AttributeValue],
    endpoint: str | None = None,
    exporter: SpanExporter | None = None,
) -> None:
    """Export spans to ``endpoint`` (OTLP/HTTP, e.g. ``http://collector:4318/v1/traces``).

    ``exporter`` replaces the OTLP one (tests pass an in-memory exporter).

    Raises:
        TracingUnavailable: OpenTelemetry is not installed (``pip install certhub[tracing]``).
    """
    # An optional extra, imported only when tracing is asked for.
    try:
        from opentelemetry.sdk.resources import Resource  # noqa: PLC0415
        from opentelemetry.sdk.trace import TracerProvider  # noqa: PLC0415
        from opentelemetry.sdk.trace.export import (  # noqa: PLC0415
            BatchSpanProcessor,
            SimpleSpanProcessor,
        )
    except ImportError as exc:
        raise TracingUnavailable(
            "CERTHUB_OTLP_ENDPOINT is set but OpenTelemetry is not installed:"
            " pip install 'certhub[tracing]'"
        ) from exc
    resource = Resource.create({"service.name": service, **attributes})
    provider = TracerProvider(resource=resource)
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # noqa: PLC0415
            OTLPSpanExporter,
        )

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    _State.provider = provider
    _State.tracer = provider.get_tracer("certhub")


def shutdown_tracing() -> None:
    """Flush what is buffered and stop recording (at process shutdown)."""
    provider, _State.provider, _State.tracer = _State.provider, None, None
    if provider is not None:
        provider.shutdown()


Attributes = Mapping[str, AttributeValue | None]
"""Span attributes by their dotted names (``http.route``); None values are left out."""


_OFF: contextlib.nullcontext[None] = contextlib.nullcontext()
"""What :func:`span` returns while tracing is off: one shared no-op (re-entrant, stateless)."""


def span(
    name: str, attributes: Attributes | None = None, *, server: bool = False
) -> contextlib.AbstractContextManager[Span | None]:
    """A span named ``name`` under the current one, with the correlation id; None when off.

    An exception leaving the block marks the span as an error and is re-raised.
    """
    tracer = _State.tracer
    if tracer is None:  # every request passes here: no generator-based manager per call
        return _OFF
    return _recording(tracer, name, attributes, server=server)


@contextlib.contextmanager
def _recording(
    tracer: Tracer, name: str, attributes: Attributes | None, *, server: bool
) -> Iterator[Span]:
    from opentelemetry.trace import SpanKind  # noqa: PLC0415 - loaded by configure_tracing

    kind = SpanKind.SERVER if server else SpanKind.INTERNAL
    with tracer.start_as_current_span(name, kind=kind) as current:
        set_attributes(current, {"certhub.correlation_id": correlation_id.get()})
        set_attributes(current, attributes or {})
        yield current


def set_attributes(current: Span | None, attributes: Attributes) -> None:
    """Add ``attributes`` to ``current`` (a no-op when tracing is off)."""
    if current is None:
        return
    values: dict[str, Any] = {key: value for key, value in attributes.items() if value is not None}
    current.set_attributes(values)
