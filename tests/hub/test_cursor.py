"""Pull cursors are tamper-evident: only this deployment's key makes one that decodes."""

from __future__ import annotations

import os
import string
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certhub.hub.api.cursor import MAX_SEQUENCE, CursorCodec, load_or_create_cursor_key
from certhub.hub.problems import Problem

KEY = bytes(range(32))
KINDS = st.sampled_from(["report", "certification", "decision", "task"])
SEQUENCES = st.integers(min_value=0, max_value=MAX_SEQUENCE)


@given(KINDS, SEQUENCES)
def test_a_cursor_decodes_to_its_sequence_for_its_kind_only(kind: str, sequence: int) -> None:
    codec = CursorCodec(KEY)
    cursor = codec.encode(kind, sequence)
    assert codec.decode(cursor, kind) == sequence
    with pytest.raises(Problem, match="cursor"):
        codec.decode(cursor, kind + "x")
    with pytest.raises(Problem, match="not one this hub issued"):
        CursorCodec(bytes(32)).decode(cursor, kind)  # another deployment's key


@given(KINDS, SEQUENCES, st.data())
def test_any_edited_character_is_refused(kind: str, sequence: int, data: st.DataObject) -> None:
    codec = CursorCodec(KEY)
    cursor = codec.encode(kind, sequence)
    index = data.draw(st.integers(min_value=len(cursor) - 3, max_value=len(cursor) - 1))
    index = data.draw(st.sampled_from([index, data.draw(st.integers(0, len(cursor) - 1))]))
    replacement = data.draw(st.sampled_from(string.ascii_letters + string.digits + "-_.="))
    edited = cursor[:index] + replacement + cursor[index + 1 :]
    if edited != cursor:
        with pytest.raises(Problem) as refused:
            codec.decode(edited, kind)
        assert refused.value.slug == "invalid-cursor"


@given(st.text(max_size=300))
def test_any_text_is_a_cursor_or_invalid_cursor(text: str) -> None:
    slug = "accepted"
    try:
        CursorCodec(KEY).decode(text, "report")
    except Problem as refused:
        slug = refused.slug
    assert slug in {"accepted", "invalid-cursor"}


def test_the_key_file_is_made_once_and_shared(tmp_path: Path) -> None:
    path = tmp_path / "secrets" / "cursor.key"
    first = load_or_create_cursor_key(path)
    assert load_or_create_cursor_key(path) == first
    assert len(first) == 32
    assert path.stat().st_mode & 0o777 == 0o600
    assert os.listdir(path.parent) == ["cursor.key"]  # no draft left behind
    path.write_bytes(b"short")
    with pytest.raises(ValueError, match="needs 32"):
        load_or_create_cursor_key(path)
