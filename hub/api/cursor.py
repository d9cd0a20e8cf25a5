"""Opaque pull cursors: a record kind and a ledger sequence, base64url-encoded.

A cursor is bound to its kind, so a report cursor cannot be replayed against
the certification pull. Clients must treat it as an opaque string.
"""

from __future__ import annotations

import base64
import binascii
import json

from hub.api.problems import Problem

_VERSION = 1


def encode_cursor(kind: str, sequence: int) -> str:
    """The cursor that continues after ``sequence``."""
    raw = json.dumps({"v": _VERSION, "k": str(kind), "s": sequence}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).rstrip(b"=").decode()


def decode_cursor(cursor: str | None, kind: str) -> int:
    """The sequence a cursor stands for; 0 (the beginning) for none."""
    if not cursor:
        return 0
    try:
        if len(cursor) > 200:
            raise ValueError("too long")
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        sequence = data["s"]
        valid = (
            data.get("v") == _VERSION
            and data.get("k") == str(kind)
            and type(sequence) is int
            and sequence >= 0
        )
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeEncodeError) as exc:
        raise Problem("invalid-cursor", "the cursor is not one this hub issued") from exc
    if not valid:
        raise Problem("invalid-cursor", f"the cursor is not a {kind} cursor of this hub")
    return int(sequence)
