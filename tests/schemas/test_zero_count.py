"""A zero report's count is the JSON integer 0, not a number that rounds to it.

``Literal[0]`` compared the parsed value with ``==``, so ``0.0``, ``0e0`` and
``1E-400`` (which underflows to ``0.0``) passed, and the ledger kept the signed
bytes as sent: a record the published schema (``"type": "integer", "const": 0``)
refuses to a consumer that reads numbers exactly, pulled by the province.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from certhub.schemas import parse_message


@pytest.mark.parametrize("count", ["0.0", "0e0", "1E-400", "-0.0", "false"])
def test_a_count_that_only_equals_zero_is_refused(samples: dict[str, Any], count: str) -> None:
    text = json.dumps(samples["zero_report/v1"] | {"count": 0})
    payload = text.replace('"count": 0', f'"count": {count}').encode()
    with pytest.raises(ValidationError):
        parse_message("zero_report/v1", payload)


@pytest.mark.parametrize("count", ["0", "-0"])
def test_the_integer_zero_is_a_count(samples: dict[str, Any], count: str) -> None:
    text = json.dumps(samples["zero_report/v1"] | {"count": 0})
    payload = text.replace('"count": 0', f'"count": {count}').encode()
    assert parse_message("zero_report/v1", payload).count == 0  # type: ignore[attr-defined]
