"""Cached label-bound metric children."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter

from certhub.monitoring.children import Children


def test_one_child_per_label_combination_counting_into_the_metric() -> None:
    registry = CollectorRegistry()
    counter = Counter("things_total", "Things.", ["kind", "outcome"], registry=registry)
    children = Children(counter)
    assert children("a", "ok") is children("a", "ok")
    assert children("a", "ok") is not children("a", "failed")
    children("a", "ok").inc()
    children("a", "ok").inc(2)
    children("b", "failed").inc()
    assert registry.get_sample_value("things_total", {"kind": "a", "outcome": "ok"}) == 3
    assert registry.get_sample_value("things_total", {"kind": "b", "outcome": "failed"}) == 1
