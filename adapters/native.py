"""What every translation of a department's native certification record shares.

A channel, a bank terminal and the ministry each name the person in three
native fields, may cite an on-site photo they keep by its digest, and, when
the canonical event cannot be built, are told which canonical fields failed —
never the values, which may be ID numbers. Their JSON is read by :func:`native_json`.
"""

from __future__ import annotations

import json
from typing import Any, Final

from pydantic import ValidationError

from certhub.security import check_json_bounds

__all__ = ["NATIVE_MAX_DEPTH", "held_photo", "invalid_fields", "native_json", "native_person"]

NATIVE_MAX_DEPTH: Final = 32
"""Levels of arrays and objects a department's JSON may nest (its records nest a few)."""


def native_json(data: bytes | str) -> Any:
    """A department's JSON document (a message, a callback, an answer), read as ``json`` reads it.

    Nested deeper than :data:`NATIVE_MAX_DEPTH` it is refused before the decoder sees it:
    the decoder recurses once per level and raises ``RecursionError``, which is no
    ``ValueError``, about 1,000 levels down; a consumer that settles what it refuses
    would leave such a message unsettled, a route would answer 500.

    Raises:
        ValueError: not text in a JSON encoding, not JSON, or nested too deep.
    """
    text = (
        data.decode(json.detect_encoding(data), "surrogatepass")
        if isinstance(data, bytes)
        else data
    )
    check_json_bounds(text, max_depth=NATIVE_MAX_DEPTH, max_chars=len(text))
    return json.loads(text)


def native_person(id_number: object, name: object, county: object) -> dict[str, Any]:
    """The canonical ``person`` of a native record: ID number, name and county code."""
    return {"id_number": id_number, "name": name, "region": {"county": county}}


def held_photo(digest: object | None) -> tuple[dict[str, str], ...]:
    """The on-site photo the department keeps, cited by its digest (JPEG, as captured).

    The photo itself never travels; ``None`` (no photo) cites nothing.
    """
    if digest is None:
        return ()
    return ({"sha256": str(digest), "kind": "onsite_photo", "media_type": "image/jpeg"},)


def invalid_fields(exc: ValidationError) -> str:
    """``invalid occurred_at, person.id_number``: the fields that failed, sorted, no values."""
    fields = sorted({".".join(map(str, err["loc"])) for err in exc.errors()})
    return "invalid " + ", ".join(fields)
