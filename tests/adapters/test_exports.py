"""The public surface of ``adapters`` is what we mean to export, and nothing imports tenacity."""

from __future__ import annotations

from certhub import adapters
from certhub.adapters import errors


def test_all_names_exist_and_are_documented() -> None:
    for name in adapters.__all__:
        value = getattr(adapters, name)
        if isinstance(value, type):
            assert value.__doc__, name


def test_every_error_is_in_the_tree_docstring() -> None:
    assert errors.__doc__ is not None
    for name in errors.__all__:
        assert name in errors.__doc__
        assert issubclass(getattr(errors, name), errors.AdapterError)


def test_metric_names_follow_conventions() -> None:
    from prometheus_client import CollectorRegistry

    from certhub.monitoring.adapter_metrics import AdapterMetrics

    registry = CollectorRegistry()
    AdapterMetrics(registry).set_circuit_state("eid", "open")
    names = {metric.name for metric in registry.collect()}
    assert names == {
        "certhub_adapter_requests", "certhub_adapter_request_duration_seconds",
        "certhub_adapter_retries", "certhub_adapter_circuit_state",
    }  # fmt: skip
