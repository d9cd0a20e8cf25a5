"""The package exports exactly what we mean to, and every error is a Refusal with a stable slug."""

from __future__ import annotations

import inspect

from certhub import security
from certhub.schemas import Refusal
from certhub.security import errors


def test_all_is_exported_and_documented() -> None:
    exported = set(security.__all__)
    public = {name for name in vars(security) if not name.startswith("_")}
    submodules = {
        "admin",
        "errors",
        "jws",
        "keyring",
        "keys",
        "offload",
        "receipts",
        "scopes",
        "signature_wire",
        "signature_worker",
        "tokens",
        "trust",
        "verify",
    }
    assert public - submodules == exported
    for name in exported - {"Algorithm", "RECEIPT_TYPE"}:
        assert inspect.getdoc(getattr(security, name)), name


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
