"""Label-bound metric children, looked up once per label combination.

``labels()`` in prometheus-client sorts keyword arguments, validates them,
takes a lock and hashes a tuple on every call: a few microseconds that the
hot paths (every request, every department call) pay several times over.
Label values here are of bounded cardinality by design (see ``metrics``),
so caching one child per combination stays small.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from prometheus_client.metrics import MetricWrapperBase

__all__ = ["Children"]

M = TypeVar("M", bound=MetricWrapperBase)


class Children(Generic[M]):
    """The children of one labelled metric, cached by their label values in order.

    Args:
        metric: a metric declared with label names.
    """

    __slots__ = ("_children", "_metric")

    def __init__(self, metric: M) -> None:
        self._metric = metric
        self._children: dict[tuple[str, ...], M] = {}

    def __call__(self, *values: str) -> M:
        """The child for ``values``, given in the order the labels were declared."""
        child = self._children.get(values)
        if child is None:
            child = self._children[values] = self._metric.labels(*values)
        return child
