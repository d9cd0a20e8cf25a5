"""A 免办 certification whose records their departments withdraw: when it stops counting.

The comparison certifies a person for the cycle (免办, ``R-ALIVE``) on the seen-alive
records its certification cites in ``remarks`` (department, record id, kind, date,
grade: :func:`~certhub.hub.rules.comparison.cited` reads them back). Any one of them
certifies alone, so the certification stands while one record it cites is not withdrawn;
when a department's void withdraws the last of them (this void and those recorded before
for the same certification), it rests on nothing and stops counting: the register is
folded again from the certifications left (:func:`certhub.hub.rules.cycle.fold`), and
the due month follows the last *passed* certification still standing (粤人社规〔2023〕4号).

Each void of a record a certification cites is recorded once for that certification,
as the comparison's ``certification_event/v1`` with outcome ``failed`` (its certification
of the person withdrawn) and the id :func:`exempt_void_id`: a re-run of the period records
nothing new, and a record sent again after its void certifies anew (another period's
certification), which its next void reaches under an id of its own.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable
from typing import Final

from certhub.hub.rules.comparison import SourceRecord

__all__ = [
    "certification_named",
    "exempt_void_id",
    "exempt_void_remarks",
    "still_stands",
]

_NAMED: Final = re.compile(r" of certification (?P<message_id>\S+)$")


def exempt_void_id(certification: str, department: str, record_id: str) -> str:
    """``cmpx.<32 hex>``: the void of ``department``'s ``record_id`` for the comparison's
    certification ``certification`` (its message id), once."""
    digest = hashlib.sha256(f"{certification}|{department}|{record_id}".encode()).hexdigest()
    return "cmpx." + digest[:32]


def exempt_void_remarks(void_text: str, certification: str) -> str:
    """The remarks of the void's record: the department's void (``void_text``, as a task's
    clearing step states it) and the certification it reaches."""
    return f"{void_text} of certification {certification}"


def certification_named(remarks: str | None) -> str | None:
    """The certification's message id :func:`exempt_void_remarks` names, or None."""
    found = _NAMED.search(remarks or "")
    return found["message_id"] if found else None


def still_stands(sources: Iterable[SourceRecord], voids: Collection[tuple[str, str]]) -> bool:
    """Whether a certification citing ``sources`` still rests on a record: one of them not
    among ``voids`` (department, record id). One citing none stands (nothing to withdraw)."""
    keys = [(s.department, s.record_id) for s in sources]
    return not keys or any(key not in voids for key in keys)
