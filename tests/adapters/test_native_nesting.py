"""Departments' native JSON nested past any real record is a refusal, never a crash.

Python's JSON decoder recurses once per array or object and raises ``RecursionError``
(not ``ValueError``) about a thousand levels down: 5,000 brackets (10 kB) signed by a
bank reached the terminal consumer as an exception it does not settle (the message
neither acked nor dead-lettered: it holds a prefetch slot until the channel closes,
then comes back, for ever), and a ministry page that deep was no contract breach.
"""

from __future__ import annotations

import pytest
from bankmessages import inspected
from hypothesis import given, settings
from hypothesis import strategies as st

from certhub.adapters.bank.terminal_inspect import DeadLetter, Inspected
from certhub.adapters.errors import ResponseInvalid
from certhub.adapters.ministry.adapter import OPENAPI_PATH
from certhub.adapters.openapi import load_contract

DEEP = b"[" * 5_000 + b"]" * 5_000


def test_a_bank_message_nested_deep_is_dead_lettered_as_malformed() -> None:
    checked = inspected(b'{"yhdm": "102", "xm": ' + DEEP + b"}")
    assert isinstance(checked, DeadLetter)
    assert checked.reason == "malformed"


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=0, max_value=3_000),
    st.sampled_from([b"[", b'{"a":', b'{"xm":[']),
    st.lists(st.sampled_from([b"]", b"}", b'"', b",", b"1", b'"a"', b"\\", b"\xff"]), max_size=40),
)
def test_any_signed_payload_is_inspected_or_dead_lettered(
    depth: int, opening: bytes, tail: list[bytes]
) -> None:
    payload = opening * depth + b"".join(tail)
    assert isinstance(inspected(payload), Inspected | DeadLetter)


def test_a_ministry_page_nested_deep_breaks_the_contract() -> None:
    contract = load_contract(OPENAPI_PATH)
    with pytest.raises(ResponseInvalid):
        contract.parse_answer("ResultPage", b'{"records": ' + DEEP + b"}")
