"""Helpers of the delivery and reliability tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class CountingDepartment:
    """A destination that counts calls per delivery id and fails as told."""

    calls: dict[str, int] = field(default_factory=dict)
    failures: list[BaseException] = field(default_factory=list)
    effects: set[str] = field(default_factory=set)

    async def __call__(self, envelope: Any) -> None:
        self.calls[envelope.delivery_id] = self.calls.get(envelope.delivery_id, 0) + 1
        if self.failures:
            raise self.failures.pop(0)
        self.effects.add(envelope.delivery_id)
