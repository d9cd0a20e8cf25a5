"""The bulk path's certifications made from checked plain values (``bulk_fast``).

It may only accept what the canonical model accepts, and write what the model's
way writes: the model's validators are pinned here (a validator added to the
model fails the pin until ``bulk_fast`` calls it too), each malformed row below is
left to the model and refused with the model's own error count, and a part whose
first row the two ways make differently is made the model's way.
"""

from __future__ import annotations

import json
import typing
from datetime import date
from typing import Any

import pytest
from annotated_types import MaxLen, MinLen
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    PlainValidator,
    ValidationError,
    WrapValidator,
)

from certhub.hub.comparison import bulk_fast, bulk_rows
from certhub.hub.comparison.bulk_fast import CHECKED, Fast
from certhub.hub.comparison.bulk_rows import CertificationRows, Refused
from certhub.hub.comparison.certify import certification_event, event_payload, message_id
from certhub.schemas import CertificationEvent
from certhub.schemas.common import PersonRef
from certhub.security import SigningKey

from .test_bulk_guards import PERIOD, ROWS, SOURCE
from .test_bulk_rows import HEADER, NOW

_VALIDATORS = (AfterValidator, BeforeValidator, PlainValidator, WrapValidator)


def _functions(annotation: Any) -> list[str]:
    """The validator functions in ``annotation`` (``Annotated`` metadata, in unions too)."""
    names = [
        m.func.__name__
        for m in getattr(annotation, "__metadata__", ())
        if isinstance(m, _VALIDATORS)
    ]
    for arg in typing.get_args(annotation):
        names += _functions(arg)
    return names


def _models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models(arg)]


def _validators(model: type[BaseModel], found: dict[str, tuple[str, ...]]) -> None:
    """Every validator reachable from ``model``, by "Model.field" or "Model"."""
    decorators = model.__pydantic_decorators__
    if checks := tuple(sorted(decorators.model_validators)):
        found[model.__name__] = checks
    for name, field in model.model_fields.items():
        names = [m.func.__name__ for m in field.metadata if isinstance(m, _VALIDATORS)]
        names += _functions(field.annotation)
        names += [d for d, v in decorators.field_validators.items() if name in v.info.fields]
        if names:
            found[f"{model.__name__}.{name}"] = tuple(names)
        for inner in _models(field.annotation):
            _validators(inner, found)


def test_the_models_validators_are_the_ones_bulk_fast_calls() -> None:
    found: dict[str, tuple[str, ...]] = {}
    _validators(CertificationEvent, found)
    never_there = {"ActorRef.name"}  # the operator: a comparison certification has none
    assert {k: v for k, v in found.items() if k not in never_there} == {
        k: tuple(sorted(v)) if "." not in k else v for k, v in CHECKED.items()
    }
    assert found["ActorRef.name"] == ("refuse_unstorable", "refuse_invisible")
    assert list(CertificationEvent.model_fields) == [
        "type", "person", "method", "channel", "outcome", "occurred_at",
        "evidence", "operator", "valid_until", "remarks",
    ]  # fmt: skip
    assert list(PersonRef.model_fields) == ["id_number", "name", "region"]
    name = PersonRef.model_fields["name"].metadata
    assert MinLen(1) in name
    assert MaxLen(100) in name
    assert bulk_fast.NAME_LENGTH == (1, 100)
    assert _lengths(CertificationEvent.model_fields["remarks"].annotation) == [MaxLen(1000)]
    assert bulk_fast.REMARKS_LENGTH == 1000


def _lengths(annotation: Any) -> list[object]:
    """The length constraints in ``annotation`` (a field's own, inside a union too)."""
    found: list[object] = []
    for meta in getattr(annotation, "__metadata__", ()):
        found += [m for m in getattr(meta, "metadata", [meta]) if isinstance(m, (MinLen, MaxLen))]
    for arg in typing.get_args(annotation):
        found += _lengths(arg)
    return found


def _read(row: tuple[Any, ...]) -> tuple[Any, ...]:
    *person, seen, sources = row
    return (*person, seen.isoformat(), json.dumps(sources, default=str, ensure_ascii=False))


GOOD = ROWS[0]  # 440103192611180019, 冯艳, born 1926-11-18
MALFORMED = {
    "check character": ("440103192611180018", *GOOD[1:]),
    "city code for a county": (GOOD[0], GOOD[1], "440100", None, *GOOD[4:]),
    "village of another county": (*GOOD[:3], "440104010025", *GOOD[4:]),
    "escape in the name": (GOOD[0], "冯\x1b艳", *GOOD[2:]),
    "blank name": (GOOD[0], "  ", *GOOD[2:]),
    "name of 101 characters": (GOOD[0], "冯" * 101, *GOOD[2:]),
    "seen after today": (*GOOD[:4], date(2099, 1, 1), GOOD[5]),
    # born 2015-03-01 (check character 4 by ISO 7064 MOD 11-2), seen the day before
    "seen before the birth": ("440103201503010014", *GOOD[1:4], date(2015, 2, 28), []),
    "seen before the scheme": (*GOOD[:4], date(2008, 12, 31), []),
    "NUL in the sources": (*GOOD[:5], [{**SOURCE, "record_id": "A\x00"}]),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_row_is_left_to_the_model_which_refuses_it(case: str) -> None:
    row = MALFORMED[case]
    with pytest.raises(ValidationError):
        certification_event(PERIOD, row)
    assert Fast(PERIOD).fields(bulk_rows.event_row(_read(row))) is None
    mid = message_id(PERIOD, row[0])
    good = [(message_id(PERIOD, r[0]), _read(r)) for r in ROWS[1:]]
    prepared = bulk_rows.prepare(
        SigningKey.generate(), PERIOD, HEADER, NOW, [(mid, _read(row)), *good]
    )
    assert prepared[0] == Refused(mid, "1 schema error(s)")
    assert [p.message_id for p in prepared[1:]] == [mid for mid, _ in good]


def test_a_lower_case_x_is_written_as_the_model_normalises_it() -> None:
    row = (ROWS[1][0].lower(), *ROWS[1][1:])
    fast = Fast(PERIOD)
    fields = fast.fields(bulk_rows.event_row(_read(row)))
    assert fields is not None
    assert fields.id_number == "44010319440202000X"
    assert fast.payload(fields) == event_payload(certification_event(PERIOD, row))


def test_each_row_is_made_from_its_values_as_the_model_would() -> None:
    fast = Fast(PERIOD)
    for row in ROWS:
        fields = fast.fields(bulk_rows.event_row(_read(row)))
        assert fields is not None
        assert fast.payload(fields) == event_payload(certification_event(PERIOD, row))


def test_a_part_the_two_ways_make_differently_is_made_the_models_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = SigningKey.generate()
    work = [(message_id(PERIOD, r[0]), _read(r)) for r in ROWS]
    right = bulk_rows.prepare(key, PERIOD, HEADER, NOW, work)
    monkeypatch.setattr(bulk_fast, "exempt_text", lambda name: f"{name}: nothing to do")
    assert bulk_rows.prepare(key, PERIOD, HEADER, NOW, work) == right
    texts = [p.notice[3] for p in right if isinstance(p, CertificationRows)]
    assert len(texts) == 4
    assert all("无需本人办理" in text for text in texts)
