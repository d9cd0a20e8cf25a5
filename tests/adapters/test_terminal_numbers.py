"""A terminal message's ``zdbh`` is a terminal number as the bank's file writes it, or refused.

The file's ``terminal`` is 1 to 12 of ``A-Z a-z 0-9 _ -``; the live message's was taken as
it came, into the remarks (``银行终端 <zdbh> 流水 <lsh>``) that tell the two ways'
records of one certification apart. Before, ``"T1 流水 X"`` read back as terminal ``T1``:
the file's line of another terminal, T1, was taken for the same certification; a
number, an object or 10 kB of text went into the remarks as written.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from bankmessages import inspected

from certhub.adapters.bank.terminal_inspect import DeadLetter, Inspected
from certhub.mocks.bank import BankTerminalPublisher


def _native(**changes: Any) -> bytes:
    publisher = BankTerminalPublisher("amqp://unused", "unused", frozenset({"102"}))
    return json.dumps(publisher.native("102") | changes, ensure_ascii=False).encode()


@pytest.mark.parametrize("zdbh", ["T1 流水 X", "T 1", "", 17, {"no": "T1"}, "T" * 13, "T1\n"])
def test_a_terminal_number_the_file_could_not_write_is_an_invalid_record(zdbh: Any) -> None:
    checked = inspected(_native(zdbh=zdbh))
    assert isinstance(checked, DeadLetter)
    assert (checked.reason, checked.detail) == (
        "invalid_record",
        "field 'zdbh': not a terminal number (1 to 12 of A-Z a-z 0-9 _ -)",
    )


@pytest.mark.parametrize("zdbh", ["T1", "T-0001_A", "T" * 12])
def test_a_terminal_number_as_the_file_writes_it_is_read(zdbh: str) -> None:
    checked = inspected(_native(zdbh=zdbh))
    assert isinstance(checked, Inspected)
    assert checked.event.remarks is not None
    assert checked.event.remarks.startswith(f"银行终端 {zdbh} 流水 ")
