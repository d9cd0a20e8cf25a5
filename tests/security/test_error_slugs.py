"""Every security error is a Refusal with a stable slug (what the package exports:
``tests/test_exports.py``)."""

from __future__ import annotations

from certhub.schemas import Refusal
from certhub.security import errors


def test_problem_types_are_unique_slugs() -> None:
    classes = [
        c
        for c in vars(errors).values()
        if isinstance(c, type) and issubclass(c, errors.SecurityError)
    ]
    slugs = [c.slug for c in classes]
    assert len(set(slugs)) == len(slugs)
    assert all(s.replace("-", "").isalpha() and s.islower() for s in slugs)
    assert errors.KeyRevoked("x").detail == "x"
    assert isinstance(errors.KeyRevoked("x"), Refusal)
    assert errors.KeyRevoked("x").slug == "key-revoked"
