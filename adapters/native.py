"""What every translation of a department's native certification record shares.

A channel, a bank terminal and the ministry each name the person in three
native fields, may cite an on-site photo they keep by its digest, and, when
the canonical event cannot be built, are told which canonical fields failed —
never the values, which may be ID numbers.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

__all__ = ["held_photo", "invalid_fields", "native_person"]


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
