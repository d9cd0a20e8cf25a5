"""Signed payloads with a member twice are refused, as headers are: one meaning per message."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certhub.security import MalformedMessage, MessageVerifier, SigningKey, sign_compact
from certhub.security._members import DuplicateMember, refuse_duplicate_members

from .conftest import NOW, REPORT, SENDER  # type: ignore[import-not-found]

keys = st.text(min_size=1, max_size=8)
scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=20,
)


def _members(items: list[tuple[str, str]]) -> str:
    return "{" + ",".join(json.dumps(key) + ":" + text for key, text in items) + "}"


@st.composite
def documents_with_a_duplicate(draw: st.DrawFn) -> str:
    """Any JSON document where one object, at any depth, has a member written twice."""
    key = draw(keys)
    others = draw(st.dictionaries(keys.filter(lambda k: k != key), json_values, max_size=4))
    twice = [(key, json.dumps(draw(scalars))), (key, json.dumps(draw(json_values)))]
    items = [(k, json.dumps(v)) for k, v in others.items()]
    for pair in twice:
        items.insert(draw(st.integers(0, len(items))), pair)
    text = _members(items)
    for _ in range(draw(st.integers(0, 4))):  # wrap it in arrays and objects, siblings around
        sibling = json.dumps(draw(json_values))
        if draw(st.booleans()):
            text = "[" + ",".join(draw(st.permutations([text, sibling]))) + "]"
        else:
            text = _members([("s", sibling), (draw(keys.filter(lambda k: k != "s")), text)])
    return text


@given(documents_with_a_duplicate())
def test_a_member_twice_at_any_depth_is_found(text: str) -> None:
    with pytest.raises(DuplicateMember):
        refuse_duplicate_members(text.encode())


@given(json_values)
def test_json_without_duplicates_passes(value: Any) -> None:
    refuse_duplicate_members(json.dumps(value, ensure_ascii=False).encode())


@pytest.mark.parametrize(
    "document",
    [
        b'{"reason":"death","reason":"imprisonment"}',
        b'{"person":{"id_number":"1"},"person":{"id_number":"2"}}',
        b'{"person":{"name":"a","name":"b"}}',
        b'{"evidence":[{"kind":"id_image","kind":"onsite_photo"}]}',
        b'{"reason":"death","\\u0072eason":"imprisonment"}',  # the same name, escaped
    ],
)
def test_the_issues_cases_are_found(document: bytes) -> None:
    with pytest.raises(DuplicateMember):
        refuse_duplicate_members(document)


@pytest.mark.parametrize(
    "document", [b"not json", b'{"a":NaN}', b"\xff\xfe", b"[" * 5000 + b"]" * 5000, b""]
)
def test_other_faults_are_left_to_the_schema_step(document: bytes) -> None:
    refuse_duplicate_members(document)  # invalid-json / invalid-utf8 name those


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=25)
@given(st.sampled_from(["death", "imprisonment", "missing"]))
def test_the_verifier_refuses_a_signed_payload_with_a_member_twice(
    verifier: MessageVerifier, sender_key: SigningKey, second: str
) -> None:
    payload = f'{{"type":"{REPORT}","reason":"death","reason":"{second}"}}'.encode()
    raw = sign_compact(payload, key=sender_key, typ=REPORT, sender=SENDER, iat=int(NOW.timestamp()))
    with pytest.raises(MalformedMessage, match="duplicate JSON member 'reason'") as refused:
        verifier.verify(raw)
    assert refused.value.slug == "malformed-message"


def test_the_verifier_passes_valid_and_invalid_json_without_duplicates(
    verifier: MessageVerifier, signed: Callable[..., bytes], sender_key: SigningKey
) -> None:
    assert verifier.verify(signed()).payload
    raw = sign_compact(b"not json", key=sender_key, typ=REPORT, sender=SENDER, iat=0)
    assert verifier.verify(raw).payload == b"not json"  # refused later, as invalid-json
