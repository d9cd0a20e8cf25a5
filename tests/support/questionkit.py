"""Questions for the province, as tests: what a decision would give, a strict xfail until
someone decides (the hub's present behaviour is in the question)."""

from __future__ import annotations

from typing import Any

import pytest


def decision_wanted(question: str, **xfail: Any) -> pytest.MarkDecorator:
    """A strict xfail whose reason is ``decision wanted: <question>`` (each such test fails
    on its assertion with ``--runxfail``: the behaviour it states is not the hub's yet)."""
    return pytest.mark.xfail(strict=True, reason=f"decision wanted: {question}", **xfail)
