"""Duplicate JSON members: refused in signed payloads as they are in headers.

RFC 8259 leaves a repeated member name's meaning to the parser: Python's
``json`` and pydantic keep the last, other verifiers keep the first or refuse.
A signed ``{"reason":"death","reason":"imprisonment"}`` would mean one thing to
the hub and another to whoever re-verifies the ledger later, so a payload
with a member twice in any object is refused before anything acts on it
(I-JSON, RFC 7493 §2.3).

Every pushed message passes here, so the check uses jiter — the Rust parser
pydantic itself parses payloads with — which finds duplicates in about 2 µs
for a typical payload (Python's ``json`` with an ``object_pairs_hook`` needs
about 8 µs). Only when jiter refuses the document does the slower strict
decoder of :mod:`._encoding` (the one that parses headers) say whether a
duplicate is the reason; any other fault is left to schema validation, which
names it (``invalid-json``).
"""

from __future__ import annotations

import jiter

from ._encoding import DuplicateMember, json_loads

__all__ = ["DuplicateMember", "refuse_duplicate_members"]


def refuse_duplicate_members(data: bytes) -> None:
    """Raise if an object anywhere in the JSON document ``data`` has a member twice.

    Raises:
        DuplicateMember: naming the repeated member. Invalid JSON for another
            reason raises nothing here.
    """
    try:
        jiter.from_json(data, catch_duplicate_keys=True, cache_mode="none")
    except ValueError:
        _classify(data)


def _classify(data: bytes) -> None:
    try:
        json_loads(data)
    except DuplicateMember:
        raise
    except (ValueError, RecursionError):
        return  # not a duplicate: the schema step refuses it with its own reason
