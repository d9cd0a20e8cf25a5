"""An audit link hashes the canonical JSON of its fields, whichever way it is written.

:func:`certhub.hub.store.audit_chain.link_hash` writes a link whose strings need no
escape directly instead of through the JSON encoder. The hash must stay SHA-256 of
``json.dumps([prev_hash, seq, at, action, subject, actor, digest])`` with compact
separators and UTF-8 as is: every ledger's chain, and ``certhub audit verify``,
depend on it.
"""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum

from hypothesis import given
from hypothesis import strategies as st

from certhub.hub.store.audit_chain import GENESIS, AuditChain, link_hash

AT = "2026-12-06T00:00:00+00:00"


def _reference(prev_hash: str, fields: tuple[object, ...]) -> str:
    text = json.dumps([prev_hash, *fields], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_a_plain_link_hashes_its_json_text() -> None:
    fields = (1, AT, "message_accepted", "1", "city", "ab" * 32)
    text = f'["{"0" * 64}",1,"{AT}","message_accepted","1","city","{"ab" * 32}"]'
    expected = "56b156b8481740f807ac27eea4e4bdb0da4d3db70cb019b4a56f4c88e865e53e"
    assert hashlib.sha256(text.encode()).hexdigest() == expected
    assert link_hash(GENESIS, fields) == expected


def test_strings_that_need_escapes_hash_as_the_encoder_writes_them() -> None:
    for odd in ('say "hi"', "back\\slash", "new\nline", "tab\t", "del\x7f", "sep\u2028", "中文"):
        fields = (7, AT, "decision", odd, "county:440103", "-")
        assert link_hash("cd" * 32, fields) == _reference("cd" * 32, fields)


class Action(StrEnum):
    """A str subclass: the encoder writes its value."""

    ACCEPTED = "message_accepted"


def test_a_str_subclass_and_a_bool_go_through_the_encoder() -> None:
    fields = (3, AT, Action.ACCEPTED, "3", "city", "-")
    assert link_hash("ef" * 32, fields) == _reference("ef" * 32, fields)
    odd = (True, AT, "x", "y", "z", "-")  # JSON true, not "True"
    assert link_hash("ef" * 32, odd) == _reference("ef" * 32, odd)


@given(
    st.text(max_size=70),
    st.integers(min_value=0, max_value=2**63),
    st.tuples(*[st.text(max_size=16)] * 5),
)
def test_every_link_hashes_its_canonical_json(
    prev_hash: str, seq: int, strings: tuple[str, str, str, str, str]
) -> None:
    fields = (seq, *strings)
    assert link_hash(prev_hash, fields) == _reference(prev_hash, fields)


def test_the_chain_advances_by_the_same_hash() -> None:
    chain = AuditChain()
    entry = chain.next(AT, "message_accepted", "1", "city", "ab" * 32)
    assert entry.hash == "56b156b8481740f807ac27eea4e4bdb0da4d3db70cb019b4a56f4c88e865e53e"
    assert (chain.seq, chain.head, entry.prev_hash) == (1, entry.hash, GENESIS)
